"""Extended thinking: Anthropic's `thinking` and `output_config.effort` <-> `ir.Reasoning`,
and the output token budget every upstream request needs.

Rendering rules (the Anthropic API rejects requests that break them):
- Models that cannot think (`NO_THINKING`) get no thinking field for other clients.
- `max_tokens` is required. When the client set none, it is `DEFAULT_MAX_TOKENS` plus
  the thinking budget, capped at the model's output ceiling (`OUTPUT_CEILINGS`).
- An `enabled` budget is at least 1024 and below `max_tokens`; when no such budget fits,
  thinking is turned off.
- `adaptive` thinking, `display` and `output_config.effort` exist only on newer models,
  so they are sent only for a client that spoke Anthropic itself (it chose its model
  knowing that); for other clients an effort becomes an `enabled` budget
  (`ir.reasoning.budget_for_effort`).
"""

from __future__ import annotations

from typing import Any, get_args

from dragoman.dialects.fields import optional_int
from dragoman.ir.errors import InvalidRequest
from dragoman.ir.reasoning import budget_for_effort
from dragoman.ir.request import Effort, Reasoning

DEFAULT_MAX_TOKENS = 16384
MIN_BUDGET = 1024
DEFAULT_BUDGET = 8192  # "medium", for thinking asked for with no size

# Most output tokens each model family allows, matched as substrings of the model id
# (so provider-prefixed ids match too), first match wins. Newer models allow at least
# DEFAULT_CEILING.
OUTPUT_CEILINGS: tuple[tuple[str, int], ...] = (
    ("claude-3-5", 8192),
    ("claude-3-7", 64000),
    ("claude-3", 4096),
    ("claude-opus-4-0", 32000),
    ("claude-opus-4-1", 32000),
    ("claude-opus-4-2025", 32000),
    ("claude-4-opus", 32000),
)
DEFAULT_CEILING = 64000
# Families that cannot think: other clients' reasoning settings are not sent to them.
NO_THINKING: tuple[str, ...] = ("claude-3-5", "claude-3-haiku", "claude-3-opus", "claude-3-sonnet")

EFFORTS: frozenset[str] = frozenset(get_args(Effort))
# Anthropic's own effort levels; the IR's lower ones are sent as its lowest.
_WIRE_EFFORTS: dict[str, str] = {
    "minimal": "low",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "xhigh": "xhigh",
    "max": "max",
}
_DISPLAYS: dict[str, bool] = {"summarized": True, "omitted": False}

DISABLED: dict[str, Any] = {"type": "disabled"}


def parse_reasoning(thinking: Any, effort: Any) -> Reasoning | None:
    """The reasoning a client asked for with `thinking` and `output_config.effort`."""
    if effort is not None and effort not in EFFORTS:
        raise InvalidRequest(f"output_config.effort: unknown effort {effort!r}", param="output_config.effort")
    if thinking is None:
        return Reasoning(effort=effort) if effort is not None else None
    if not isinstance(thinking, dict) or not isinstance(thinking.get("type"), str):
        raise InvalidRequest("thinking.type: expected a string", param="thinking.type")
    reasoning = Reasoning(effort=effort, enabled=thinking["type"] != "disabled")
    if thinking["type"] == "enabled":
        budget = optional_int(thinking.get("budget_tokens"), "thinking.budget_tokens", minimum=0)
        if budget is None:
            raise InvalidRequest("thinking.budget_tokens: required", param="thinking.budget_tokens")
        reasoning.budget_tokens = budget
    display = thinking.get("display")
    if isinstance(display, str):
        # Displays newer than this code ("updates", ...) all show some thinking.
        reasoning.include_thoughts = _DISPLAYS.get(display, True)
    elif thinking["type"] == "enabled":
        # Every model that takes an `enabled` budget shows summarized thinking by default, so
        # the client expects thinking text back, whichever upstream answers.
        reasoning.include_thoughts = True
    return reasoning


def output_ceiling(model: str) -> int:
    for family, ceiling in OUTPUT_CEILINGS:
        if family in model:
            return ceiling
    return DEFAULT_CEILING


def plan(
    reasoning: Reasoning | None, *, max_tokens: int | None, model: str, native: bool
) -> tuple[dict[str, Any] | None, int]:
    """The `thinking` field (None to leave it out) and the `max_tokens` that go with it."""
    thinks = native or not any(family in model for family in NO_THINKING)
    config = _config(reasoning, native=native) if thinks else None
    budget = config.get("budget_tokens", 0) if config else 0
    if max_tokens is None:
        max_tokens = min(output_ceiling(model), DEFAULT_MAX_TOKENS + budget)
    if config is not None and config["type"] == "enabled":
        budget = min(max(budget, MIN_BUDGET), max_tokens - 1)
        config = {**config, "budget_tokens": budget} if budget >= MIN_BUDGET else DISABLED
    return config, max_tokens


def wire_effort(reasoning: Reasoning | None, *, native: bool) -> str | None:
    """`output_config.effort`, for clients that spoke Anthropic (see the module docstring)."""
    if not native or reasoning is None or reasoning.effort is None:
        return None
    return _WIRE_EFFORTS.get(reasoning.effort)


def is_on(config: dict[str, Any] | None) -> bool:
    return config is not None and config["type"] != "disabled"


def _config(reasoning: Reasoning | None, *, native: bool) -> dict[str, Any] | None:
    if reasoning is None:
        return None
    if _is_off(reasoning):
        return DISABLED if native else None
    budget = reasoning.budget_tokens
    config: dict[str, Any]
    if native:
        # An Anthropic client's effort alone travels in output_config, not as thinking.
        if budget is None and not reasoning.enabled:
            return None
        config = {"type": "adaptive"} if budget is None else {"type": "enabled", "budget_tokens": budget}
        # Summarized is what `enabled` shows anyway, and older models know no `display`.
        shown_anyway = budget is not None and reasoning.include_thoughts
        if reasoning.include_thoughts is not None and not shown_anyway:
            config["display"] = "summarized" if reasoning.include_thoughts else "omitted"
        return config
    if budget is None and not reasoning.enabled and reasoning.effort is None:
        return None
    return {
        "type": "enabled",
        "budget_tokens": budget or budget_for_effort(reasoning.effort) or DEFAULT_BUDGET,
    }


def _is_off(reasoning: Reasoning) -> bool:
    return reasoning.enabled is False or reasoning.effort == "none" or reasoning.budget_tokens == 0
