"""Ids in each dialect's own form, and tool call ids that survive the round trip.

A client sees ids shaped like its vendor's: a Chat completion `chatcmpl-...`, a
Responses response `resp_...`, an Anthropic message `msg_...`, tool calls `call_...`
(OpenAI dialects) or `toolu_...` (Anthropic). Gemini has no id convention: its ids
pass unchanged.

Response ids: the upstream's id when it already has the client's prefix, else a fresh
one (`ir.ids.new_id`), made once per answer so every chunk carries the same.

Tool call ids must come back to the upstream exactly as it issued them, since the
client answers a call with the id it received. An upstream id that already has the
client's prefix is shown as is; any other gets the prefix and a marker in front
(`toolu_01A` reaches a Chat client as `call_dgm_toolu_01A`), which every upstream
renderer takes off again (`for_upstream`), whichever upstream the conversation goes
to next. Ids a client made itself carry no marker and pass unchanged, so a call and
its result, rewritten by the same rule, always still match.
"""

from __future__ import annotations

from dataclasses import replace

from dragoman.ir.ids import new_id
from dragoman.ir.messages import Message, Part, ToolCall, ToolResult
from dragoman.ir.request import Request

RESPONSE_PREFIXES: dict[str, str] = {
    "openai_chat": "chatcmpl-",
    "openai_responses": "resp_",
    "anthropic": "msg_",
    "gemini": "",
}
# Marks a tool call id whose client prefix dragoman added in front of the upstream's.
MARK = "dgm_"
CALL_PREFIXES: dict[str, str] = {
    "openai_chat": "call_",
    "openai_responses": "call_",
    "anthropic": "toolu_",
    "gemini": "",
}


def client_response_id(upstream_id: str, client: str) -> str:
    """The id a `client` dialect's answer carries for the upstream's answer `upstream_id`."""
    prefix = RESPONSE_PREFIXES[client]
    if upstream_id and upstream_id.startswith(prefix) and (len(upstream_id) > len(prefix)):
        return upstream_id
    return new_id(prefix)


def client_call_id(upstream_id: str, client: str) -> str:
    """The id a `client` dialect sees for the upstream's tool call `upstream_id`."""
    prefix = CALL_PREFIXES[client]
    if not upstream_id:
        return new_id(prefix or "call_")
    if upstream_id.startswith(prefix):
        return upstream_id
    return prefix + MARK + upstream_id


def upstream_call_id(client_id: str, client: str | None) -> str:
    """The id the upstream issued for a call a `client` dialect names `client_id`."""
    prefix = CALL_PREFIXES.get(client or "", "")
    wrapped = prefix + MARK
    if not prefix or not client_id.startswith(wrapped) or len(client_id) == len(wrapped):
        return client_id
    return client_id[len(wrapped) :]


def for_upstream(request: Request) -> Request:
    """`request` with every tool call id of its history as the upstream issued it."""
    if not CALL_PREFIXES.get(request.source or ""):
        return request
    messages = [_message_for(message, request.source) for message in request.messages]
    if all(new is old for new, old in zip(messages, request.messages, strict=True)):
        return request  # no tool call in the history: spare copying the request (~8 µs)
    return replace(request, messages=messages)


def _message_for(message: Message, client: str | None) -> Message:
    if not any(isinstance(part, ToolCall | ToolResult) for part in message.parts):
        return message
    return replace(message, parts=[_part_for(part, client) for part in message.parts])


def _part_for(part: Part, client: str | None) -> Part:
    if isinstance(part, ToolCall):
        return replace(part, id=upstream_call_id(part.id, client))
    if isinstance(part, ToolResult):
        return replace(part, call_id=upstream_call_id(part.call_id, client))
    return part
