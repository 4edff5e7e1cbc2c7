"""Anthropic Messages requests: a client's body -> `ir.Request`, and `ir.Request` -> the
body sent to the Anthropic API (`POST {base}/messages`).

What the renderer changes so the API accepts the request, beyond the rules in
`turns` (conversation shape) and `thinking` (budgets, max_tokens):
- With thinking on, `temperature` and `top_k` are left out and `top_p` is kept only
  from 0.95 up; thinking is turned off (`{"type": "disabled"}`) when the tool choice
  forces a tool or the last tool-calling assistant turn lacks its signed thinking.
- `temperature` is capped at 1, and `top_p` is left out when `temperature` is set
  (newer Claude models reject the pair).
- Whitespace-only stop sequences, seed and penalties have no Anthropic equivalent and
  are left out; so is a `json_object` response format (only JSON schemas exist).
- Client fields with no IR home (`Request.extras`) are merged in only for an Anthropic
  client; fields the renderer wrote win, and objects are merged one level deep.
"""

from __future__ import annotations

from typing import Any

from dragoman.dialects.anthropic import thinking, tools, turns
from dragoman.dialects.anthropic.content import parse_content, render_text
from dragoman.dialects.choices import refuse_choices
from dragoman.dialects.fields import optional_int
from dragoman.dialects.ids import for_upstream
from dragoman.dialects.state import refuse_previous_response
from dragoman.ir.errors import InvalidRequest
from dragoman.ir.messages import Message, Text
from dragoman.ir.names import rule
from dragoman.ir.reasoning import account_of
from dragoman.ir.request import Request, ResponseFormat, link_tool_results

_KNOWN_FIELDS = frozenset(
    {
        "model",
        "messages",
        "max_tokens",
        "system",
        "tools",
        "tool_choice",
        "thinking",
        "output_config",
        "temperature",
        "top_p",
        "top_k",
        "stop_sequences",
        "metadata",
        "stream",
    }
)
_ROLES = frozenset({"user", "assistant", "system"})
# Anthropic rejects tool names outside this; the relay renames others (ir.names).
TOOL_NAMES = rule("a-zA-Z0-9_-", 64)
_MIN_THINKING_TOP_P = 0.95


def upstream_path(model: str, stream: bool) -> str:
    return "/messages"


def parse(body: Any) -> Request:
    """The request a client sent to `POST /v1/messages`."""
    return parse_body(body, require_max_tokens=True)


def parse_body(body: Any, *, require_max_tokens: bool) -> Request:
    """A Messages body (count_tokens bodies have no `max_tokens`) as an `ir.Request`."""
    if not isinstance(body, dict):
        raise InvalidRequest("body: expected a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidRequest("model: expected a model name", param="model")
    request = Request(model=model, source="anthropic")
    request.messages = _parse_messages(body.get("messages"), request.extras)
    request.system = _parse_system(body.get("system"))
    request.max_tokens = _integer(body, "max_tokens", minimum=1)
    if request.max_tokens is None and require_max_tokens:
        raise InvalidRequest("max_tokens: required", param="max_tokens")
    _parse_controls(body, request)
    request.extras.update((key, value) for key, value in body.items() if key not in _KNOWN_FIELDS)
    link_tool_results(request.messages)
    return request


def _parse_messages(messages: Any, extras: dict[str, Any]) -> list[Message]:
    if not isinstance(messages, list):
        raise InvalidRequest("messages: expected a list", param="messages")
    parsed: list[Message] = []
    fields: list[list[Any]] = []
    for index, raw in enumerate(messages):
        path = f"messages[{index}]"
        # A role that is not a string (`{}`) is refused before it is looked up.
        role = raw.get("role") if isinstance(raw, dict) else None
        if not isinstance(role, str) or role not in _ROLES:
            raise InvalidRequest(
                f"{path}.role: expected 'user', 'assistant' or 'system'", param=f"{path}.role"
            )
        parsed.append(Message(role=raw["role"], parts=parse_content(raw.get("content"), f"{path}.content")))
        extra = {key: value for key, value in raw.items() if key not in ("role", "content")}
        if extra:
            fields.append([index, raw["role"], extra])
    if fields:
        extras[turns.MESSAGE_FIELDS] = fields
    return parsed


def _parse_system(system: Any) -> list[Text]:
    if system is None:
        return []
    if isinstance(system, str):
        return [Text(system)] if system else []
    if not isinstance(system, list):
        raise InvalidRequest("system: expected a string or a list of text blocks", param="system")
    blocks: list[Text] = []
    for index, block in enumerate(system):
        if (
            not isinstance(block, dict)
            or block.get("type") != "text"
            or not isinstance(block.get("text"), str)
        ):
            raise InvalidRequest(f"system[{index}]: expected a text block", param=f"system[{index}]")
        cache_control = block.get("cache_control")
        blocks.append(
            Text(block["text"], cache_control=cache_control if isinstance(cache_control, dict) else None)
        )
    return blocks


def _parse_controls(body: dict[str, Any], request: Request) -> None:
    request.temperature = _number(body, "temperature")
    request.top_p = _number(body, "top_p")
    request.top_k = _integer(body, "top_k", minimum=0)
    request.stop = _strings(body, "stop_sequences")
    request.stream = body.get("stream") is True
    if body.get("tools") is not None:
        request.tools = tools.parse_tools(body["tools"])
    if body.get("tool_choice") is not None:
        request.tool_choice, request.parallel_tool_calls = tools.parse_tool_choice(body["tool_choice"])
    output_config = _object(body, "output_config") or {}
    request.reasoning = thinking.parse_reasoning(body.get("thinking"), output_config.get("effort"))
    request.response_format = _parse_format(output_config.get("format"))
    rest = {key: value for key, value in output_config.items() if key not in ("effort", "format")}
    if rest:
        request.extras["output_config"] = rest
    metadata = _object(body, "metadata")
    if metadata is not None:
        request.metadata = metadata
        user = metadata.get("user_id")
        request.user = user if isinstance(user, str) else None


def _parse_format(value: Any) -> ResponseFormat | None:
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or value.get("type") != "json_schema"
        or not isinstance(value.get("schema"), dict)
    ):
        raise InvalidRequest(
            "output_config.format: expected a json_schema format", param="output_config.format"
        )
    return ResponseFormat(type="json_schema", schema=value["schema"])


def _number(body: dict[str, Any], key: str) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequest(f"{key}: expected a number", param=key)
    return value


def _integer(body: dict[str, Any], key: str, *, minimum: int) -> int | None:
    return optional_int(body.get(key), key, minimum=minimum)


def _strings(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidRequest(f"{key}: expected a list of strings", param=key)
    return list(value)


def _object(body: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = body.get(key)
    if value is not None and not isinstance(value, dict):
        raise InvalidRequest(f"{key}: expected an object", param=key)
    return value


# ---------------------------------------------------------------- rendering upstream


def render(request: Request, *, model: str, origin: str) -> dict[str, Any]:
    """The body for the Anthropic API's `POST /messages`."""
    refuse_previous_response(request, account_of(origin))
    refuse_choices(request, account_of(origin))
    request = for_upstream(request)
    native = request.source == "anthropic"
    messages = turns.render_messages(request, origin=origin)
    body: dict[str, Any] = {"model": model, "messages": messages}
    system = [block for block in map(render_text, request.system) if block is not None]
    if system:
        body["system"] = system
    _render_tools(request, body, native=native)
    config, body["max_tokens"] = thinking.plan(
        request.reasoning, max_tokens=request.max_tokens, model=model, native=native
    )
    if thinking.is_on(config) and (
        tools.forces_tool(body.get("tool_choice")) or turns.needs_thinking_off(messages)
    ):
        config = thinking.DISABLED
    if config is not None:
        body["thinking"] = config
    turns.settle_final_turn(messages, thinking_on=thinking.is_on(config))
    _render_sampling(request, body, thinking_on=thinking.is_on(config))
    _render_output_config(request, body, native=native)
    _render_metadata(request, body, native=native)
    if request.stream:
        body["stream"] = True
    if native:
        _merge_extras(body, request.extras)
    return body


def _render_tools(request: Request, body: dict[str, Any], *, native: bool) -> None:
    allowed = request.tool_choice.allowed if request.tool_choice is not None else []
    declared = tools.render_tools(request.tools, allowed, native=native)
    if not declared:
        return  # the API refuses a tool_choice without tools
    body["tools"] = declared
    choice = tools.render_tool_choice(request.tool_choice, request.parallel_tool_calls)
    if choice is not None:
        body["tool_choice"] = choice


def _render_sampling(request: Request, body: dict[str, Any], *, thinking_on: bool) -> None:
    if request.temperature is not None and not thinking_on:
        body["temperature"] = min(max(request.temperature, 0.0), 1.0)
    top_p = request.top_p
    if top_p is not None and "temperature" not in body and (not thinking_on or top_p >= _MIN_THINKING_TOP_P):
        body["top_p"] = top_p
    if request.top_k is not None and not thinking_on:
        body["top_k"] = request.top_k
    stops = [stop for stop in request.stop if stop.strip()]
    if stops:
        body["stop_sequences"] = stops


def _render_output_config(request: Request, body: dict[str, Any], *, native: bool) -> None:
    output_config: dict[str, Any] = {}
    effort = thinking.wire_effort(request.reasoning, native=native)
    if effort is not None:
        output_config["effort"] = effort
    response_format = request.response_format
    if response_format is not None and response_format.type == "json_schema" and response_format.schema:
        output_config["format"] = {"type": "json_schema", "schema": response_format.schema}
    if output_config:
        body["output_config"] = output_config


def _render_metadata(request: Request, body: dict[str, Any], *, native: bool) -> None:
    # The API takes only `user_id` in metadata, but an Anthropic client's own keys are its call.
    metadata = dict(request.metadata or {}) if native else {}
    if request.user:
        metadata["user_id"] = request.user
    if metadata:
        body["metadata"] = metadata


def _merge_extras(body: dict[str, Any], extras: dict[str, Any]) -> None:
    for key, value in extras.items():
        if key == turns.MESSAGE_FIELDS:
            continue
        current = body.get(key)
        if current is None:
            body[key] = value
        elif isinstance(current, dict) and isinstance(value, dict):
            body[key] = {**value, **current}
