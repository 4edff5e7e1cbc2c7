"""Responses answers: an upstream's Response object -> `ir.Response`, and back for a client.

A Response has no stop reason; it is derived from `status`, `incomplete_details` and
the output (wire-formats §5.1). The same snapshot shape opens and closes a stream,
so `snapshot` is shared with `stream.Renderer`.
"""

from __future__ import annotations

import time
from typing import Any

from dragoman.dialects.counts import count, output_with_reasoning
from dragoman.dialects.ids import client_response_id
from dragoman.dialects.openai_responses import items, wire
from dragoman.dialects.openai_responses.error import from_event
from dragoman.dialects.openai_responses.tools import DIALECT, render_tool_choice, render_tools
from dragoman.ir.events import Event, Start, Stop, StopReason, UsageUpdate
from dragoman.ir.messages import Part, ToolCall
from dragoman.ir.request import Request
from dragoman.ir.response import Response, accumulate
from dragoman.ir.usage import Usage

_INCOMPLETE: dict[str, StopReason] = {"max_output_tokens": "max_tokens", "content_filter": "refusal"}
# stop reason -> (status, incomplete reason)
_STATUS: dict[str, tuple[str, str | None]] = {
    "max_tokens": ("incomplete", "max_output_tokens"),
    "context_window": ("incomplete", "max_output_tokens"),
    "refusal": ("incomplete", "content_filter"),
    "error": ("failed", None),
}


# --- parse -------------------------------------------------------------------------


def parse(body: Any, *, origin: str) -> Response:
    """The answer in an upstream's (non-streamed) Response object."""
    return accumulate(events(body if isinstance(body, dict) else {}, origin=origin))


def events(body: dict[str, Any], *, origin: str) -> list[Event]:
    if body.get("status") == "failed":
        raise from_event(body.get("error"))
    out: list[Event] = [Start(id=str(body.get("id") or ""), model=str(body.get("model") or ""))]
    parts: list[Part] = []
    refused = False
    output = body.get("output")
    for item in output if isinstance(output, list) else []:
        if isinstance(item, dict):
            parts.extend(items.output_parts(item, origin))
            refused = refused or (
                item.get("type") == "message" and any(r for _, r in items.message_texts(item))
            )
    for index, part in enumerate(parts):
        out.extend(items.part_events(index, part))
    out.append(UsageUpdate(parse_usage(body.get("usage"))))
    out.append(Stop(stop_reason(body, tools=any(isinstance(p, ToolCall) for p in parts), refused=refused)))
    return out


def stop_reason(body: dict[str, Any], *, tools: bool, refused: bool) -> StopReason:
    if body.get("status") == "incomplete":
        details = body.get("incomplete_details")
        reason = details.get("reason") if isinstance(details, dict) else None
        return _INCOMPLETE.get(reason, "max_tokens") if isinstance(reason, str) else "max_tokens"
    if tools:
        return "tool_use"
    return "refusal" if refused else "end_turn"


def parse_usage(value: Any) -> Usage:
    if not isinstance(value, dict):
        return Usage()
    inputs = value.get("input_tokens_details")
    outputs = value.get("output_tokens_details")
    inputs = inputs if isinstance(inputs, dict) else {}
    outputs = outputs if isinstance(outputs, dict) else {}
    prompt = count(value.get("input_tokens"))
    reasoning = count(outputs.get("reasoning_tokens"))
    output = output_with_reasoning(
        count(value.get("output_tokens")), reasoning, prompt=prompt, total=count(value.get("total_tokens"))
    )
    return Usage(
        input_tokens=prompt,
        output_tokens=output,
        cache_read_tokens=count(inputs.get("cached_tokens")),
        cache_write_tokens=count(inputs.get("cache_write_tokens")),
        reasoning_tokens=reasoning,
    )


# --- render ------------------------------------------------------------------------


def render(response: Response, request: Request) -> wire.ResponseBody:
    """The Response object a client receives."""
    body = snapshot(
        request, client_response_id(response.id, DIALECT), response.model or request.model, int(time.time())
    )
    finish(body, response.stop_reason or "end_turn", response.usage)
    body["output"] = items.render_output(response.parts, request)
    return body  # type: ignore[return-value]


def snapshot(request: Request, response_id: str, model: str, created_at: int) -> dict[str, Any]:
    """A Response object in progress, echoing the request's settings."""
    body: dict[str, Any] = {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": "in_progress",
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "model": model,
        "output": [],
        "parallel_tool_calls": request.parallel_tool_calls is not False,
        "tool_choice": render_tool_choice(request.tool_choice, request) if request.tool_choice else "auto",
        "tools": render_tools(request) if request.source == DIALECT else [],
        "temperature": request.temperature,
        "top_p": request.top_p,
        "max_output_tokens": request.max_tokens,
        "previous_response_id": request.previous_response_id,
        "store": request.extras.get("store", True) if request.source == DIALECT else False,
        "metadata": request.metadata if request.source == DIALECT and request.metadata else {},
        "usage": None,
    }
    if request.reasoning is not None:
        body["reasoning"] = {"effort": request.reasoning.effort, "summary": request.reasoning.summary}
    return body


def finish(body: dict[str, Any], reason: StopReason, usage: Usage) -> str:
    """Set the final status, details and usage of `body`; the status it got."""
    status, incomplete = _STATUS.get(reason, ("completed", None))
    body["status"] = status
    body["incomplete_details"] = {"reason": incomplete} if incomplete else None
    if status == "failed":
        body["error"] = {"code": "server_error", "message": "the model stopped with an error"}
    body["usage"] = render_usage(usage)
    return status


def render_usage(usage: Usage) -> wire.ResponseUsage:
    return {
        "input_tokens": usage.input_tokens,
        "input_tokens_details": {
            "cached_tokens": usage.cache_read_tokens,
            "cache_write_tokens": usage.cache_write_tokens,
        },
        "output_tokens": usage.output_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": usage.total_tokens,
    }
