"""How a Gemini answer ended and what it cost: `finishReason` and `usageMetadata`.

Gemini has no tool-call finish reason (a turn ending in calls says STOP), so parsers
report `tool_use` whenever a functionCall arrived. Usage: `promptTokenCount` already
includes cached tokens; `candidatesTokenCount` excludes thoughts, which IR output
includes.
"""

from __future__ import annotations

from typing import Any

from dragoman.dialects.counts import count
from dragoman.dialects.gemini import wire
from dragoman.ir.events import StopReason
from dragoman.ir.usage import Usage

_REFUSED = ("SAFETY", "RECITATION", "LANGUAGE", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII")
_FAILED = ("OTHER", "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS", "NO_IMAGE")
_IMAGE_REFUSED = ("IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION")

STOP_REASONS: dict[str, StopReason] = {
    "STOP": "end_turn",
    "FINISH_REASON_UNSPECIFIED": "end_turn",
    "MAX_TOKENS": "max_tokens",
    **{reason: "refusal" for reason in (*_REFUSED, *_IMAGE_REFUSED)},
    **{reason: "error" for reason in (*_FAILED, "IMAGE_OTHER")},
}

FINISH_REASONS: dict[str, str] = {
    "end_turn": "STOP",
    "stop_sequence": "STOP",
    "tool_use": "STOP",
    "pause_turn": "STOP",
    "max_tokens": "MAX_TOKENS",
    "context_window": "MAX_TOKENS",
    "refusal": "SAFETY",
    "error": "OTHER",
}


def stop_reason(finish: str | None, *, blocked: bool, tool_calls: bool) -> StopReason:
    if blocked:
        return "refusal"
    if tool_calls:
        return "tool_use"
    return STOP_REASONS.get(finish or "STOP", "end_turn")


def parse_usage(metadata: dict[str, Any]) -> Usage:
    thoughts = count(metadata.get("thoughtsTokenCount"))
    return Usage(
        # Tokens of server-side tool results are prompt the model read (and that
        # totalTokenCount counts beside promptTokenCount).
        input_tokens=count(metadata.get("promptTokenCount")) + count(metadata.get("toolUsePromptTokenCount")),
        output_tokens=count(metadata.get("candidatesTokenCount")) + thoughts,
        cache_read_tokens=count(metadata.get("cachedContentTokenCount")),
        reasoning_tokens=thoughts,
    )


def render_usage(usage: Usage) -> wire.UsageMetadata:
    metadata: wire.UsageMetadata = {
        "promptTokenCount": usage.input_tokens,
        "candidatesTokenCount": max(0, usage.output_tokens - usage.reasoning_tokens),
        "totalTokenCount": usage.total_tokens,
    }
    if usage.reasoning_tokens:
        metadata["thoughtsTokenCount"] = usage.reasoning_tokens
    if usage.cache_read_tokens:
        metadata["cachedContentTokenCount"] = usage.cache_read_tokens
    return metadata
