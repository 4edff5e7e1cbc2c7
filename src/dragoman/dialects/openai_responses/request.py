"""Responses requests: a client's body -> `ir.Request`, and `ir.Request` -> an upstream body.

`instructions` and the system/developer messages that open `input` are the system
text; later ones stay in place as system turns. Fields with no IR home (store,
include, prompt_cache_key, client_metadata, text.verbosity, reasoning.context, ...)
ride in `Request.extras` and come back only to a Responses upstream.
"""

from __future__ import annotations

from typing import Any

from dragoman.dialects.choices import refuse_choices
from dragoman.dialects.fields import optional_int
from dragoman.dialects.ids import for_upstream
from dragoman.dialects.openai_responses import wire
from dragoman.dialects.openai_responses.input import InputParser, InputRenderer
from dragoman.dialects.openai_responses.tools import (
    DIALECT,
    parse_tool_choice,
    parse_tools,
    render_tool_choice,
    render_tools,
)
from dragoman.ir.errors import InvalidRequest
from dragoman.ir.messages import Text
from dragoman.ir.names import rule
from dragoman.ir.reasoning import account_of, effort_for_budget
from dragoman.ir.request import Reasoning, Request, ResponseFormat, link_tool_results

# OpenAI rejects function names outside this; the relay renames others (ir.names).
TOOL_NAMES = rule("a-zA-Z0-9_-", 64)

ENCRYPTED_REASONING = "reasoning.encrypted_content"
_MAPPED = frozenset(
    {
        "model",
        "input",
        "instructions",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "stream",
        "max_output_tokens",
        "temperature",
        "top_p",
        "reasoning",
        "text",
        "metadata",
        "user",
        "previous_response_id",
    }
)
_EFFORTS = frozenset({"none", "minimal", "low", "medium", "high", "xhigh", "max"})


def upstream_path(model: str, stream: bool) -> str:
    return "/responses"


# --- parse -------------------------------------------------------------------------


def parse(body: Any) -> Request:
    """The request a Responses client sent."""
    if not isinstance(body, dict):
        raise InvalidRequest("body: expected a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidRequest("model: required")
    conversation = InputParser()
    instructions = _typed(body, "instructions", str)
    if instructions:
        conversation.system.append(Text(instructions))
    conversation.parse(body.get("input"))
    link_tool_results(conversation.messages)
    request = Request(
        model=model,
        messages=conversation.messages,
        system=conversation.system,
        tools=parse_tools(body.get("tools"), "tools") + conversation.tools,
        tool_choice=parse_tool_choice(body.get("tool_choice"), "tool_choice"),
        parallel_tool_calls=_typed(body, "parallel_tool_calls", bool),
        stream=bool(_typed(body, "stream", bool)),
        include_usage=True,  # every Responses answer carries its usage
        max_tokens=optional_int(body.get("max_output_tokens"), "max_output_tokens"),
        temperature=_number(body, "temperature"),
        top_p=_number(body, "top_p"),
        metadata=_typed(body, "metadata", dict),
        user=_typed(body, "user", str),
        source=DIALECT,
        previous_response_id=_typed(body, "previous_response_id", str),
        extras={key: value for key, value in body.items() if key not in _MAPPED},
    )
    _parse_reasoning(body.get("reasoning"), request)
    _parse_text(body.get("text"), request)
    return request


def _typed(body: dict[str, Any], key: str, kind: type) -> Any:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, kind):
        raise InvalidRequest(f"{key}: expected {_KIND_NAMES[kind]}", param=key)
    return value


_KIND_NAMES = {str: "a string", bool: "a boolean", dict: "an object"}


def _number(body: dict[str, Any], key: str) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequest(f"{key}: expected a number", param=key)
    return value


def _parse_reasoning(value: Any, request: Request) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise InvalidRequest("reasoning: expected an object")
    effort, summary = value.get("effort"), value.get("summary")
    if effort is not None and not isinstance(effort, str):
        raise InvalidRequest("reasoning.effort: expected a string")
    if summary is not None and not isinstance(summary, str):
        raise InvalidRequest("reasoning.summary: expected a string")
    known = effort is None or effort in _EFFORTS
    # An effort newer than the IR knows stays in extras, for a Responses upstream.
    request.reasoning = Reasoning(
        enabled=None if effort is None or not known else effort != "none",
        effort=effort if known else None,  # type: ignore[arg-type]  # checked against _EFFORTS
        summary=summary,
        include_thoughts=None if summary is None else summary != "none",
    )
    rest = {key: item for key, item in value.items() if key not in ("effort", "summary")}
    if not known:
        rest["effort"] = effort
    if rest:
        request.extras["reasoning"] = rest


def _parse_text(value: Any, request: Request) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise InvalidRequest("text: expected an object")
    fmt = value.get("format")
    if fmt is not None:
        request.response_format = _parse_format(fmt)
    rest = {key: item for key, item in value.items() if key != "format"}
    if rest:
        request.extras["text"] = rest


def _parse_format(fmt: Any) -> ResponseFormat:
    if not isinstance(fmt, dict) or fmt.get("type") not in ("text", "json_object", "json_schema"):
        raise InvalidRequest("text.format.type: expected text, json_object or json_schema")
    if fmt["type"] != "json_schema":
        return ResponseFormat(type=fmt["type"])
    schema = fmt.get("schema")
    if not isinstance(schema, dict):
        raise InvalidRequest("text.format.schema: expected a JSON Schema object")
    strict = fmt.get("strict")
    name = fmt.get("name")
    return ResponseFormat(
        type="json_schema",
        name=name if isinstance(name, str) else None,
        schema=schema,
        strict=strict if isinstance(strict, bool) else None,
    )


# --- render ------------------------------------------------------------------------


def render(request: Request, *, model: str, origin: str) -> wire.RequestBody:
    """The body sent to a Responses upstream named `origin`."""
    refuse_choices(request, account_of(origin))
    request = for_upstream(request)
    same_dialect = request.source == DIALECT
    extras = request.extras if same_dialect else {}
    # Stateless by default: conversations are replayed in full, never stored upstream.
    stored = extras.get("store") is not False if same_dialect else False
    conversation = InputRenderer(request, origin, stored=stored)
    body: dict[str, Any] = {"model": model}
    system = request.system_text()
    if system:
        body["instructions"] = system
    body["input"] = conversation.render()
    _render_tools(request, body)
    _render_sampling(request, body)
    _render_reasoning(request, body, extras)
    _render_text(request, body, extras)
    _render_identity(request, body)
    if request.previous_response_id is not None:
        body["previous_response_id"] = request.previous_response_id
    body["stream"] = request.stream
    for key, value in extras.items():
        if key not in body:
            body[key] = value
    if not same_dialect:
        body["store"] = False
    _ensure_include(body, wants_reasoning=conversation.sent_reasoning or _asks_reasoning(request))
    return body  # type: ignore[return-value]


def _render_tools(request: Request, body: dict[str, Any]) -> None:
    tools = render_tools(request)
    if not tools:
        return
    body["tools"] = tools
    if request.tool_choice is not None:
        body["tool_choice"] = render_tool_choice(request.tool_choice, request)
    if request.parallel_tool_calls is not None:
        body["parallel_tool_calls"] = request.parallel_tool_calls


def _render_sampling(request: Request, body: dict[str, Any]) -> None:
    # Responses has no stop sequences, seed, top_k or penalties: they are dropped.
    if request.max_tokens is not None:
        body["max_output_tokens"] = request.max_tokens
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.top_p is not None:
        body["top_p"] = request.top_p


def _render_reasoning(request: Request, body: dict[str, Any], extras: dict[str, Any]) -> None:
    reasoning: dict[str, Any] = dict(extras.get("reasoning") or {})
    wanted = request.reasoning
    if wanted is not None:
        # Thinking turned off without an effort is left to the model's default:
        # "none" is an error on models that cannot switch reasoning off.
        effort = wanted.effort or effort_for_budget(wanted.budget_tokens)
        if effort is not None:
            reasoning["effort"] = effort
        summary = wanted.summary or ("auto" if wanted.include_thoughts else None)
        if summary is not None:
            reasoning["summary"] = summary
    if reasoning:
        body["reasoning"] = reasoning


def _render_text(request: Request, body: dict[str, Any], extras: dict[str, Any]) -> None:
    text: dict[str, Any] = dict(extras.get("text") or {})
    fmt = request.response_format
    if fmt is not None and fmt.type == "json_schema":
        text["format"] = {"type": "json_schema", "name": fmt.name or "response", "schema": fmt.schema or {}}
        if fmt.strict is not None:
            text["format"]["strict"] = fmt.strict
    elif fmt is not None:
        text["format"] = {"type": fmt.type}
    if text:
        body["text"] = text


def _render_identity(request: Request, body: dict[str, Any]) -> None:
    if request.user is not None:
        body["user"] = request.user
    metadata = request.metadata
    # Responses metadata is at most 16 string pairs; other dialects' metadata
    # (Anthropic's user_id JSON, say) is only sent when it fits.
    if isinstance(metadata, dict) and _fits_metadata(metadata):
        body["metadata"] = metadata


def _fits_metadata(metadata: dict[str, Any]) -> bool:
    return len(metadata) <= 16 and all(
        isinstance(key, str) and len(key) <= 64 and isinstance(value, str) and len(value) <= 512
        for key, value in metadata.items()
    )


def _asks_reasoning(request: Request) -> bool:
    wanted = request.reasoning
    return wanted is not None and wanted.enabled is not False and wanted.effort != "none"


def _ensure_include(body: dict[str, Any], *, wants_reasoning: bool) -> None:
    """Without stored state, reasoning survives a turn only as encrypted content."""
    if body.get("store") is not False or not wants_reasoning:
        return
    include = body.get("include")
    include = list(include) if isinstance(include, list) else []
    if ENCRYPTED_REASONING not in include:
        include.append(ENCRYPTED_REASONING)
    body["include"] = include
