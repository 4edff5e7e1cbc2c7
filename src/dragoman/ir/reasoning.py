"""Reasoning carry-over rules shared by every dialect.

Signatures (Anthropic thinking signatures, Responses `encrypted_content`, Gemini
`thoughtSignature`) are valid only for the upstream that produced them. When one is
handed to a client, it is wrapped with its origin:

    dgm1~<origin>~<item id>~<signature>

so that when the client sends the conversation back, a parser can tell where it came
from. Upstream renderers keep a thinking part only when its origin is the upstream
they render for, and send the original signature unwrapped; others are dropped,
never fabricated.
"""

from __future__ import annotations

from dragoman.ir.messages import Thinking
from dragoman.ir.request import Effort

_PREFIX = "dgm1~"

# Thinking budgets for effort levels, and back. Midpoints of what the vendors
# document for their own mapping (Anthropic budget tokens vs. OpenAI effort).
EFFORT_BUDGETS: dict[str, int] = {
    "none": 0,
    "minimal": 1024,
    "low": 2048,
    "medium": 8192,
    "high": 24576,
    "xhigh": 32768,
    "max": 65536,
}


def wrap_signature(part: Thinking) -> str | None:
    """The signature as a client sees it: tagged with its origin and item id."""
    if part.signature is None:
        return None
    if part.origin is None:
        return part.signature
    return f"{_PREFIX}{part.origin}~{part.id or ''}~{part.signature}"


def unwrap_signature(value: str | None) -> tuple[str | None, str | None, str | None]:
    """`(origin, item id, signature)` from a value a client sent back.

    A value dragoman did not wrap has no known origin.
    """
    if value is None or not value.startswith(_PREFIX):
        return None, None, value
    origin, item_id, signature = value[len(_PREFIX) :].split("~", 2)
    return origin, item_id or None, signature


def budget_for_effort(effort: str | None) -> int | None:
    return None if effort is None else EFFORT_BUDGETS.get(effort)


def effort_for_budget(budget: int | None) -> Effort | None:
    """The smallest effort level whose budget covers `budget`."""
    if budget is None:
        return None
    if budget <= 0:
        return "none"
    for effort, ceiling in EFFORT_BUDGETS.items():
        if effort != "none" and budget <= ceiling:
            return effort  # type: ignore[return-value]
    return "max"


def keep_for(part: Thinking, origin: str, *, same_dialect: bool) -> bool:
    """Whether a thinking part may be sent to the upstream named `origin`.

    A part with no known origin came from a client that talked to this upstream's
    dialect directly (history from before dragoman); it is kept only when the
    upstream speaks the client's own dialect.
    """
    if part.origin is None:
        return same_dialect
    return part.origin == origin
