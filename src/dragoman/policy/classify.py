"""A request's signals scored into a tier, each signal's contribution kept for the trace
and `dragoman route explain`.

Points, summed: simple 0-1, medium 2-3, complex 4-5, reasoning 6 and more. Then the
floors (`[auto.floors]`: images, tools offered), then the agent's trajectory: the same
tool call repeated, or tool calls failing in a row, escalate one tier (the cheaper model
is going round in circles). The weights are data (`WEIGHTS`, `SEVERAL`, `TOKEN_STEPS`), checked
against a labelled set of real-looking requests in tests/policy/test_classify.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dragoman.config.routing import AutoFloors, TierName
from dragoman.policy.signals import Signals
from dragoman.policy.tiers import TIERS, above, higher

# Estimated input tokens from which 1, 2, 3 points are given.
# An agent's system prompt and tools alone are 10-25k tokens, whatever it is asked.
TOKEN_STEPS = (32_000, 64_000, 128_000)
SYSTEM_LARGE = 3_000  # tokens of system prompt
DEPTH_STEPS = (12, 40)  # messages
WEIGHTS = {
    "tools": 1,
    "images": 1,
    "code": 1,
    "reasoning_marker": 4,
    "analysis_marker": 1,
    "multi_step": 1,
    "reasoning_asked": 1,
    "system": 1,
}
# Added when the user's words hold two or more distinct cues of the kind (`signals`).
SEVERAL = {"reasoning_marker": 2, "analysis_marker": 1}
# The lowest score of each tier, in tier order.
TIER_FLOORS = (0, 2, 4, 6)


@dataclass(slots=True)
class Classification:
    tier: TierName
    score: int
    # Each signal that counted and its points (or, for floors and trajectory, the tier it forced).
    contributions: dict[str, int | str] = field(default_factory=dict)

    def reason(self) -> str:
        parts = [f"{name}{_signed(value)}" for name, value in self.contributions.items()]
        return f"score {self.score}" + (f" ({', '.join(parts)})" if parts else "")


def classify(found: Signals, floors: AutoFloors) -> Classification:
    """The tier for these signals under these floors."""
    contributions = _points(found)
    score = sum(value for value in contributions.values() if isinstance(value, int))
    tier = _tier_of(score)
    result = Classification(tier, score, dict(contributions))
    _apply_floor(result, "images", floors.images if found.images else None)
    _apply_floor(result, "tools", floors.tools if found.tools else None)
    if found.repeated_call or found.failing_calls:
        result.tier = above(result.tier)
        result.contributions["repeated_call" if found.repeated_call else "failing_calls"] = (
            f"-> {result.tier}"
        )
    return result


def _points(found: Signals) -> dict[str, int]:
    points = {
        "tokens": sum(found.tokens >= step for step in TOKEN_STEPS),
        "tools": WEIGHTS["tools"] if found.tools else 0,
        "images": WEIGHTS["images"] if found.images else 0,
        "code": WEIGHTS["code"] if found.code else 0,
        "reasoning_marker": _markers("reasoning_marker", found.reasoning_marker),
        "analysis_marker": _markers("analysis_marker", found.analysis_marker),
        "multi_step": WEIGHTS["multi_step"] if found.multi_step else 0,
        "reasoning_asked": WEIGHTS["reasoning_asked"] if found.reasoning_asked else 0,
        "system": WEIGHTS["system"] if found.system_tokens >= SYSTEM_LARGE else 0,
        "depth": sum(found.depth >= step for step in DEPTH_STEPS),
    }
    return {name: value for name, value in points.items() if value}


def _markers(kind: str, cues: int) -> int:
    if not cues:
        return 0
    return WEIGHTS[kind] + (SEVERAL[kind] if cues >= 2 else 0)


def _tier_of(score: int) -> TierName:
    tier = TIERS[0]
    for candidate, lowest in zip(TIERS, TIER_FLOORS, strict=True):
        if score >= lowest:
            tier = candidate
    return tier


def _apply_floor(result: Classification, signal: str, floor: TierName | None) -> None:
    if floor is None:
        return
    raised = higher(result.tier, floor)
    if raised != result.tier:
        result.tier = raised
        result.contributions[f"{signal}_floor"] = f"-> {raised}"


def _signed(value: int | str) -> str:
    return f"+{value}" if isinstance(value, int) else f" {value}"
