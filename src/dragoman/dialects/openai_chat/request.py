"""A Chat Completions request: the client's body -> `ir.Request`, and `ir.Request` -> the
body sent to a Chat upstream."""

from __future__ import annotations

from typing import Any, get_args

from dragoman.dialects.fields import (
    expect_list,
    expect_object,
    expect_str,
    invalid,
    optional_bool,
    optional_float,
    optional_int,
    optional_object,
    optional_str,
)
from dragoman.dialects.ids import for_upstream
from dragoman.dialects.openai_chat import wire
from dragoman.dialects.openai_chat.messages import parse_messages, render_messages
from dragoman.dialects.openai_chat.tools import (
    parse_function_call,
    parse_functions,
    parse_tool_choice,
    parse_tools,
    render_tool_choice,
    render_tools,
)
from dragoman.dialects.state import refuse_previous_response
from dragoman.ir.errors import InvalidRequest
from dragoman.ir.names import rule
from dragoman.ir.reasoning import account_of, effort_for_budget
from dragoman.ir.request import Effort, Reasoning, Request, ResponseFormat

DIALECT = "openai_chat"
# OpenAI rejects function names outside this; the relay renames others (ir.names).
TOOL_NAMES = rule("a-zA-Z0-9_-", 64)
_EFFORTS: tuple[str, ...] = get_args(Effort)
# OpenAI accepts at most four stop sequences.
_MAX_STOP = 4

# Top-level fields the IR holds; every other field is kept in `Request.extras`.
_KNOWN = frozenset(
    {
        "model",
        "messages",
        "tools",
        "tool_choice",
        "functions",
        "function_call",
        "parallel_tool_calls",
        "stream",
        "stream_options",
        "max_completion_tokens",
        "max_tokens",
        "temperature",
        "top_p",
        "top_k",
        "stop",
        "seed",
        "presence_penalty",
        "frequency_penalty",
        "response_format",
        "reasoning_effort",
        "user",
        "metadata",
        "n",
    }
)


def parse(body: object) -> Request:
    """The IR of a client's Chat Completions request body."""
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a JSON object")
    system, messages = parse_messages(body.get("messages"))
    request = Request(model=expect_str(body.get("model"), "model"), messages=messages, system=system)
    _parse_tools(body, request)
    _parse_sampling(body, request)
    _parse_output(body, request)
    request.source = DIALECT
    request.extras = {key: value for key, value in body.items() if key not in _KNOWN}
    return request


def _parse_tools(body: dict[str, Any], request: Request) -> None:
    request.tools = parse_tools(body.get("tools"), "tools")
    request.tools += parse_functions(body.get("functions"), "functions")
    request.tool_choice = parse_tool_choice(body.get("tool_choice"), "tool_choice")
    if request.tool_choice is None:
        request.tool_choice = parse_function_call(body.get("function_call"), "function_call")
    request.parallel_tool_calls = optional_bool(body.get("parallel_tool_calls"), "parallel_tool_calls")


def _parse_sampling(body: dict[str, Any], request: Request) -> None:
    request.temperature = optional_float(body.get("temperature"), "temperature")
    request.top_p = optional_float(body.get("top_p"), "top_p")
    request.top_k = optional_int(body.get("top_k"), "top_k")
    request.seed = optional_int(body.get("seed"), "seed")
    request.presence_penalty = optional_float(body.get("presence_penalty"), "presence_penalty")
    request.frequency_penalty = optional_float(body.get("frequency_penalty"), "frequency_penalty")
    request.stop = _parse_stop(body.get("stop"))


def _parse_stop(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [expect_str(item, f"stop[{index}]") for index, item in enumerate(expect_list(value, "stop"))]


def _parse_output(body: dict[str, Any], request: Request) -> None:
    request.max_tokens = optional_int(body.get("max_completion_tokens"), "max_completion_tokens")
    if request.max_tokens is None:
        request.max_tokens = optional_int(body.get("max_tokens"), "max_tokens")
    request.stream = bool(optional_bool(body.get("stream"), "stream"))
    request.choices = optional_int(body.get("n"), "n", minimum=1) or 1
    options = optional_object(body.get("stream_options"), "stream_options") or {}
    request.include_usage = bool(optional_bool(options.get("include_usage"), "stream_options.include_usage"))
    request.response_format = _parse_response_format(body.get("response_format"))
    request.reasoning = _parse_effort(body.get("reasoning_effort"))
    request.user = optional_str(body.get("user"), "user")
    request.metadata = optional_object(body.get("metadata"), "metadata")


def _parse_response_format(value: object) -> ResponseFormat | None:
    if value is None:
        return None
    fmt = expect_object(value, "response_format")
    kind = fmt.get("type")
    if kind in ("text", "json_object"):
        return ResponseFormat(kind)
    if kind != "json_schema":
        raise invalid("response_format.type", f"unknown response format {kind!r}")
    schema = expect_object(fmt.get("json_schema"), "response_format.json_schema")
    return ResponseFormat(
        "json_schema",
        name=optional_str(schema.get("name"), "response_format.json_schema.name"),
        schema=optional_object(schema.get("schema"), "response_format.json_schema.schema"),
        strict=optional_bool(schema.get("strict"), "response_format.json_schema.strict"),
    )


def _parse_effort(value: object) -> Reasoning | None:
    effort = optional_str(value, "reasoning_effort")
    if effort is None:
        return None
    if effort not in _EFFORTS:
        raise invalid("reasoning_effort", f"expected one of {', '.join(_EFFORTS)}, got {effort!r}")
    return Reasoning(enabled=effort != "none", effort=effort)  # type: ignore[arg-type]


def render(request: Request, *, model: str, origin: str) -> dict[str, Any]:
    """The body to send a Chat Completions upstream named `origin`, for `model`."""
    refuse_previous_response(request, account_of(origin))
    request = for_upstream(request)
    body: dict[str, Any] = {"model": model, "messages": render_messages(request, origin)}
    _render_tools(request, body)
    _render_sampling(request, body)
    _render_output(request, body)
    if request.source == DIALECT:
        # The client's own Chat fields with no IR home, for a Chat upstream only.
        for key, value in request.extras.items():
            body.setdefault(key, value)
    return body


def _render_tools(request: Request, body: dict[str, Any]) -> None:
    tools = render_tools(request.tools)
    if not tools:
        # tool_choice and parallel_tool_calls without tools are rejected by OpenAI.
        return
    body["tools"] = tools
    if request.tool_choice is not None:
        body["tool_choice"] = render_tool_choice(request.tool_choice)
    if request.parallel_tool_calls is not None:
        body["parallel_tool_calls"] = request.parallel_tool_calls


def _render_sampling(request: Request, body: dict[str, Any]) -> None:
    optional = {
        "temperature": request.temperature,
        "top_p": request.top_p,
        "seed": request.seed,
        "presence_penalty": request.presence_penalty,
        "frequency_penalty": request.frequency_penalty,
        # OpenAI rejects top_k; only a Chat client that sent it knows its server takes it.
        "top_k": request.top_k if request.source == DIALECT else None,
    }
    body.update((key, value) for key, value in optional.items() if value is not None)
    if request.stop:
        body["stop"] = request.stop[:_MAX_STOP]


def _render_output(request: Request, body: dict[str, Any]) -> None:
    if request.max_tokens is not None:
        # max_tokens is refused by OpenAI's reasoning models; every current server takes this.
        body["max_completion_tokens"] = request.max_tokens
    if request.choices > 1:
        body["n"] = request.choices
    if request.stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    if request.response_format is not None:
        body["response_format"] = _render_response_format(request.response_format)
    effort = _render_effort(request.reasoning)
    if effort is not None:
        body["reasoning_effort"] = effort
    if request.user is not None:
        body["user"] = request.user
    if request.metadata is not None and request.source == DIALECT:
        # OpenAI takes metadata only with store: true, which only a Chat client sends.
        body["metadata"] = request.metadata


def _render_response_format(fmt: ResponseFormat) -> wire.ResponseFormat:
    if fmt.type != "json_schema":
        return {"type": fmt.type}
    schema: wire.JSONSchemaFormat = {"name": fmt.name or "response", "schema": fmt.schema or {}}
    if fmt.strict is not None:
        schema["strict"] = fmt.strict
    return {"type": "json_schema", "json_schema": schema}


def _render_effort(reasoning: Reasoning | None) -> str | None:
    if reasoning is None:
        return None
    if reasoning.effort is not None:
        return reasoning.effort
    # Thinking switched off without an effort is left to the model's default: older
    # models reject "none", and models without reasoning reject the field itself.
    if reasoning.enabled is False:
        return None
    return effort_for_budget(reasoning.budget_tokens)


def upstream_path(model: str, stream: bool) -> str:
    return "/chat/completions"
