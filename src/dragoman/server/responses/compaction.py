"""Codex compaction: `POST /v1/responses/compact`, and remote compaction v2 (a
`compaction_trigger` as the last input item of a `/v1/responses` request, answered with
exactly one `compaction` output item).

A model served by an upstream that compacts natively (`ProviderSpec.compaction`: OpenAI,
the Codex backend) gets the request as it is, on the account its pool picks
(`compaction_forward`). Any other model is asked for a summary of the conversation
through the ordinary relay (pools, limits, traces; billed as the generation it is), and
the summary comes back sealed as dragoman's own compaction item
(`dialects.openai_responses.compaction`), which later input turns back into a message.
"""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial
from typing import Any

import orjson
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response

from dragoman import dialects
from dragoman.dialects.openai_responses import compaction as sealed
from dragoman.ir.errors import InvalidRequest, UpstreamError
from dragoman.ir.ids import new_id
from dragoman.ir.messages import Message, Text
from dragoman.ir.request import Request
from dragoman.ir.tools import ToolChoice
from dragoman.server import local_auth
from dragoman.server.body import read_json
from dragoman.server.exchange import exchange_of
from dragoman.server.gateway import Gateway
from dragoman.server.relay import relay
from dragoman.server.responses import compaction_forward, compaction_wire
from dragoman.server.responses.conversation import whole_conversation

RESPONSES = "openai_responses"
# What the model is asked, after the conversation, to write the summary.
PROMPT = (
    "Your context is about to be compacted: everything above will be replaced by what you "
    "write now. Write a handoff summary for yourself to continue the task from: the user's "
    "goal and constraints, what was done and decided, files and commands involved, the "
    "current state, and the next steps. Reply with the summary only; call no tool."
)


def triggered(body: object) -> bool:
    """A `/v1/responses` body whose last input item is a compaction_trigger."""
    items = body.get("input") if isinstance(body, dict) else None
    last = items[-1] if isinstance(items, list) and items else None
    return isinstance(last, dict) and last.get("type") == sealed.TRIGGER


async def answer_trigger(http: HttpRequest, body: dict[str, Any], session: Any) -> Response:
    """The answer to a request ending with a compaction_trigger: one compaction item,
    streamed when the request streams."""
    gateway: Gateway = http.app.state.gateway
    trigger = body["input"][-1]
    body = await _replayed(http, {**body, "input": body["input"][:-1]})
    request = dialects.get(RESPONSES).request.parse(body)
    routes = compaction_forward.native_routes(gateway, request.model)
    if routes:
        return await compaction_forward.trigger(http, gateway, request, routes, trigger)
    summarised = await _summary(http, gateway, request, body, session)
    if isinstance(summarised, Response):
        return summarised
    answer, summary = summarised
    item = compaction_item(summary)
    if request.stream:
        return compaction_wire.streamed(answer, item)
    return JSONResponse(compaction_wire.whole(answer, item))


async def compact(http: HttpRequest) -> Response:
    """`POST /v1/responses/compact`: the conversation's user messages, then one
    compaction item (OpenAI's `response.compaction` object)."""
    gateway: Gateway = http.app.state.gateway
    exchange = exchange_of(http.scope)
    exchange.traced = True
    body = await read_json(http, gateway.settings.max_body_bytes)
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a JSON object")
    body = await _replayed(http, {**body, "stream": False})
    request = dialects.get(RESPONSES).request.parse(body)
    routes = compaction_forward.native_routes(gateway, request.model)
    if routes:
        return await compaction_forward.compact(http, gateway, request, routes)
    summarised = await _summary(http, gateway, request, body, None)
    if isinstance(summarised, Response):
        return summarised
    answer, summary = summarised
    kept = [item for item in _items(body.get("input")) if _user_message(item)]
    return JSONResponse(
        {
            "id": answer.get("id") or new_id("resp_"),
            "object": "response.compaction",
            "created_at": int(time.time()),
            "output": [*kept, compaction_item(summary)],
            "usage": answer.get("usage") or {},
        }
    )


def compaction_item(summary: str) -> dict[str, Any]:
    return {"type": "compaction", "id": new_id("cmp_"), "encrypted_content": sealed.seal(summary)}


async def _replayed(http: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    """`body` with the conversation its `previous_response_id` names put in its input."""
    gateway: Gateway = http.app.state.gateway
    if not isinstance(body.get("previous_response_id"), str) or gateway.responses is None:
        return body
    key = exchange_of(http.scope).key or ""
    replayed = await whole_conversation(gateway.responses, body, key)
    replayed.pop("previous_response_id", None)
    return replayed


async def _summary(
    http: HttpRequest, gateway: Gateway, request: Request, body: dict[str, Any], session: Any
) -> tuple[dict[str, Any], str] | Response:
    """(the model's whole Responses answer, its summary text), or the error answer."""
    asked = replace(
        request,
        messages=[*request.messages, Message("user", [Text(PROMPT)])],
        stream=False,
        tool_choice=ToolChoice("none") if request.tools else None,
        previous_response_id=None,
        extras={**request.extras, "store": False},
    )
    exchange = exchange_of(http.scope)
    session_of = partial(session, http, body, RESPONSES) if session is not None else None
    key = partial(local_auth.key_name, http)
    client = dialects.get(RESPONSES)
    response = await relay(gateway, client, asked, exchange, http.headers, http.receive, session_of, key)
    if response.status_code >= 400:
        return response
    answer = orjson.loads(bytes(response.body))
    summary = "".join(
        part.get("text", "")
        for item in answer.get("output", [])
        if item.get("type") == "message"
        for part in item.get("content", [])
        if part.get("type") == "output_text"
    )
    if not summary.strip():
        raise UpstreamError(f"{request.model} wrote no summary for the compaction; try again")
    return answer, summary


def _items(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": value}]}]
    return value if isinstance(value, list) else []


def _user_message(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    return item.get("type", "message") == "message" and item.get("role") == "user"
