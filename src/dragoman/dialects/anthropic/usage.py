"""Token usage and stop reasons between Anthropic's wire names and the IR.

Anthropic's `input_tokens` counts only the prompt tokens that were neither read from
nor written to the cache; the IR's counts the whole prompt. Both directions convert.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dragoman.ir.events import StopReason
from dragoman.ir.usage import Usage

STOP_REASONS: dict[str, StopReason] = {
    "end_turn": "end_turn",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "tool_use": "tool_use",
    "pause_turn": "pause_turn",
    "refusal": "refusal",
    "model_context_window_exceeded": "context_window",
}

WIRE_STOP_REASONS: dict[StopReason, str] = {
    **{ir: wire for wire, ir in STOP_REASONS.items()},
    # A failed generation has no Anthropic stop reason; the text so far ends the turn.
    "error": "end_turn",
}


def parse_stop_reason(value: Any) -> StopReason | None:
    """The IR stop reason; a reason newer than this code ends the turn."""
    if value is None:
        return None
    return STOP_REASONS.get(value, "end_turn") if isinstance(value, str) else "end_turn"


def render_stop_reason(reason: StopReason | None, *, has_tool_calls: bool) -> str:
    # Anthropic clients run their tool loop on `tool_use`; upstreams that end a tool
    # turn with a plain stop still need it.
    if has_tool_calls and reason in (None, "end_turn"):
        return "tool_use"
    return WIRE_STOP_REASONS.get(reason or "end_turn", "end_turn")


def parse_usage(raw: Mapping[str, Any]) -> Usage:
    uncached = _count(raw.get("input_tokens"))
    written = _count(raw.get("cache_creation_input_tokens"))
    read = _count(raw.get("cache_read_input_tokens"))
    details = raw.get("output_tokens_details")
    thinking = _count(details.get("thinking_tokens")) if isinstance(details, Mapping) else 0
    return Usage(
        input_tokens=uncached + written + read,
        output_tokens=_count(raw.get("output_tokens")),
        cache_read_tokens=read,
        cache_write_tokens=written,
        reasoning_tokens=thinking,
    )


def render_usage(usage: Usage) -> dict[str, Any]:
    body: dict[str, Any] = {
        "input_tokens": usage.uncached_input_tokens,
        "cache_creation_input_tokens": usage.cache_write_tokens,
        "cache_read_input_tokens": usage.cache_read_tokens,
        "output_tokens": usage.output_tokens,
    }
    if usage.reasoning_tokens:
        body["output_tokens_details"] = {"thinking_tokens": usage.reasoning_tokens}
    return body


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
