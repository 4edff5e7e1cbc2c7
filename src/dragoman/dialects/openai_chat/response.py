"""A whole (non-streamed) Chat completion: upstream body -> `ir.Response`, and
`ir.Response` -> the body a Chat client receives. Also the usage and finish-reason
conversions the stream shares."""

from __future__ import annotations

import time
from typing import Any

import orjson

from dragoman.dialects import counts
from dragoman.dialects.ids import client_call_id, client_response_id
from dragoman.dialects.openai_chat import wire
from dragoman.dialects.openai_chat.error import from_payload
from dragoman.ir.errors import UpstreamError
from dragoman.ir.events import (
    MAX_CHOICES,
    StopReason,
)
from dragoman.ir.ids import new_id
from dragoman.ir.messages import Part, Text, Thinking, ToolCall
from dragoman.ir.request import Request
from dragoman.ir.response import Response
from dragoman.ir.usage import Usage

_STOP_REASONS: dict[str, StopReason] = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "refusal",
    "error": "error",
}
_FINISH_REASONS: dict[StopReason, wire.FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "error": "stop",
    "max_tokens": "length",
    "context_window": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def stop_reason(finish_reason: object, *, has_tool_calls: bool) -> StopReason:
    reason = _STOP_REASONS.get(finish_reason, "end_turn") if isinstance(finish_reason, str) else "end_turn"
    # Some servers end a tool-calling turn with "stop".
    return "tool_use" if reason == "end_turn" and has_tool_calls else reason


def finish_reason(reason: StopReason | None, *, has_tool_calls: bool) -> wire.FinishReason:
    if reason in (None, "end_turn") and has_tool_calls:
        return "tool_calls"
    return _FINISH_REASONS.get(reason or "end_turn", "stop")


def parse_usage(value: object) -> Usage | None:
    """IR usage of a Chat `usage` object: prompt includes cached, completion reasoning."""
    if not isinstance(value, dict):
        return None
    prompt = _details(value, "prompt_tokens_details")
    completion = _details(value, "completion_tokens_details")
    # DeepSeek reports cache hits at the top level instead.
    cache_read = _count(prompt, "cached_tokens") or _count(value, "prompt_cache_hit_tokens")
    prompt_tokens = _count(value, "prompt_tokens")
    reasoning = _count(completion, "reasoning_tokens")
    output = counts.output_with_reasoning(
        _count(value, "completion_tokens"),
        reasoning,
        prompt=prompt_tokens,
        total=_count(value, "total_tokens"),
    )
    return Usage(
        input_tokens=prompt_tokens,
        output_tokens=output,
        cache_read_tokens=cache_read,
        cache_write_tokens=_count(prompt, "cache_write_tokens"),
        reasoning_tokens=reasoning,
    )


def _details(value: dict[str, Any], key: str) -> dict[str, Any]:
    details = value.get(key)
    return details if isinstance(details, dict) else {}


def _count(value: dict[str, Any], key: str) -> int:
    return counts.count(value.get(key))


def render_usage(usage: Usage) -> wire.Usage:
    prompt: wire.PromptTokensDetails = {"cached_tokens": usage.cache_read_tokens}
    if usage.cache_write_tokens:
        prompt["cache_write_tokens"] = usage.cache_write_tokens
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
        "prompt_tokens_details": prompt,
        "completion_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
    }


def parse(body: object, *, origin: str) -> Response:
    """The IR of an upstream's Chat completion body (decoded JSON, or its bytes)."""
    if isinstance(body, bytes | str):
        try:
            body = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise UpstreamError("the upstream answered with a body that is not JSON") from None
    if not isinstance(body, dict):
        raise UpstreamError("the upstream answered with a body that is not a chat completion")
    if body.get("error") is not None:
        raise from_payload(body["error"])
    return _whole(body, origin)


def _whole(body: dict[str, Any], origin: str) -> Response:
    """The answer, built as folding its stream would (`ir.response.Accumulator`) without
    the events: a pass-through request's largest step of its own once was that fold.
    Choice 0 is the answer; the others its alternatives, up to the last one sent (one
    not sent is an empty answer)."""
    answers = {number: _answer(choice, origin) for number, choice in _choices(body.get("choices")).items()}
    whole = answers.pop(0, None) or Response(stop_reason="end_turn")
    whole.id, whole.model = _string(body.get("id")), _string(body.get("model"))
    usage = parse_usage(body.get("usage"))
    if usage is not None:
        whole.usage = usage
    last = max(answers, default=0)
    whole.alternatives = [
        answers.get(number) or Response(stop_reason="end_turn") for number in range(1, last + 1)
    ]
    return whole


def _answer(choice: dict[str, Any], origin: str) -> Response:
    parts = _message_parts(_message(choice), origin)
    return Response(parts=parts, stop_reason=_choice_stop(choice, parts))


def _choices(value: object) -> dict[int, dict[str, Any]]:
    """The answer's choices by their `index` (their position when they have none)."""
    found: dict[int, dict[str, Any]] = {}
    for position, choice in enumerate(value if isinstance(value, list) else []):
        number = choice.get("index", position) if isinstance(choice, dict) else None
        if isinstance(number, int) and not isinstance(number, bool) and 0 <= number < MAX_CHOICES:
            found.setdefault(number, choice)
    return found


def _message(choice: dict[str, Any]) -> dict[str, Any]:
    message = choice.get("message")
    return message if isinstance(message, dict) else {}


def _choice_stop(choice: dict[str, Any], parts: list[Part]) -> StopReason:
    has_calls = any(isinstance(part, ToolCall) for part in parts)
    reason = stop_reason(choice.get("finish_reason"), has_tool_calls=has_calls)
    if reason == "end_turn" and _message(choice).get("refusal"):
        reason = "refusal"
    return reason


def _message_parts(message: dict[str, Any], origin: str) -> list[Part]:
    parts: list[Part] = []
    reasoning = reasoning_text(message)
    if reasoning:
        parts.append(Thinking(reasoning, origin=origin))
    text = _string(message.get("content")) + _string(message.get("refusal"))
    if text:
        parts.append(Text(text))
    calls = message.get("tool_calls")
    for call in calls if isinstance(calls, list) else []:
        if isinstance(call, dict):
            parts.append(_tool_call(call))
    legacy = message.get("function_call")
    if isinstance(legacy, dict):
        parts.append(ToolCall(new_id("call_"), _string(legacy.get("name")), _string(legacy.get("arguments"))))
    return parts


def reasoning_text(message: dict[str, Any]) -> str:
    """`reasoning_content` (DeepSeek, vLLM) or `reasoning` (OpenRouter, newer vLLM)."""
    return _string(message.get("reasoning_content")) or _string(message.get("reasoning"))


def _tool_call(call: dict[str, Any]) -> ToolCall:
    call_id = _string(call.get("id")) or new_id("call_")
    custom = call.get("custom")
    if isinstance(custom, dict):
        arguments = orjson.dumps({"input": _string(custom.get("input"))}).decode()
        return ToolCall(call_id, _string(custom.get("name")), arguments)
    function = call.get("function")
    function = function if isinstance(function, dict) else {}
    return ToolCall(call_id, _string(function.get("name")), _string(function.get("arguments")))


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""


def render(response: Response, request: Request) -> wire.Completion:
    """The Chat completion body a client receives; `model` is the name it asked for."""
    # The choices the client asked for (`n`), each with its own message and finish.
    answers = [response, *response.alternatives][: max(1, request.choices)]
    return {
        "id": client_response_id(response.id, "openai_chat"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model,
        "choices": [_render_choice(number, answer) for number, answer in enumerate(answers)],
        "usage": render_usage(response.usage),
    }


def _render_choice(number: int, answer: Response) -> wire.Choice:
    calls = answer.tool_calls()
    message: wire.Message = {"role": "assistant", "content": answer.text() or None, "refusal": None}
    reasoning = "".join(part.text for part in answer.parts if isinstance(part, Thinking))
    if reasoning:
        message["reasoning_content"] = reasoning
    if calls:
        message["tool_calls"] = [_render_call(call) for call in calls]
    return {
        "index": number,
        "message": message,
        "logprobs": None,
        "finish_reason": finish_reason(answer.stop_reason, has_tool_calls=bool(calls)),
    }


def _render_call(call: ToolCall) -> wire.ToolCall:
    function: wire.FunctionCall = {"name": call.name, "arguments": call.arguments or "{}"}
    return {"id": client_call_id(call.id, "openai_chat"), "type": "function", "function": function}
