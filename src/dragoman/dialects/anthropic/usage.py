"""Token usage and stop reasons between Anthropic's wire names and the IR.

Anthropic's `input_tokens` counts only the prompt tokens that were neither read from
nor written to the cache; the IR's counts the whole prompt. Both directions convert.
`cache_creation` splits the writes by lifetime (5 min and 1 h, billed differently);
the IR keeps the 1 h part, and a client is given the split whenever there were writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dragoman.dialects.counts import count
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
    uncached = count(raw.get("input_tokens"))
    written = count(raw.get("cache_creation_input_tokens"))
    read = count(raw.get("cache_read_input_tokens"))
    return Usage(
        input_tokens=uncached + written + read,
        output_tokens=count(raw.get("output_tokens")),
        cache_read_tokens=read,
        cache_write_tokens=written,
        reasoning_tokens=count(_detail(raw, "output_tokens_details", "thinking_tokens")),
        cache_write_1h_tokens=min(
            written, count(_detail(raw, "cache_creation", "ephemeral_1h_input_tokens"))
        ),
    )


def render_usage(usage: Usage) -> dict[str, Any]:
    body: dict[str, Any] = {
        "input_tokens": usage.uncached_input_tokens,
        "cache_creation_input_tokens": usage.cache_write_tokens,
        "cache_read_input_tokens": usage.cache_read_tokens,
    }
    if usage.cache_write_tokens:
        body["cache_creation"] = {
            "ephemeral_5m_input_tokens": usage.cache_write_5m_tokens,
            "ephemeral_1h_input_tokens": usage.cache_write_1h_tokens,
        }
    body["output_tokens"] = usage.output_tokens
    if usage.reasoning_tokens:
        body["output_tokens_details"] = {"thinking_tokens": usage.reasoning_tokens}
    return body


def _detail(raw: Mapping[str, Any], group: str, name: str) -> Any:
    details = raw.get(group)
    return details.get(name) if isinstance(details, Mapping) else None
