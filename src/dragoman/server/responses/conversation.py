"""A request continuing a stored response (`previous_response_id`): sent on to the
upstream that keeps that response, or replayed in full to whichever upstream serves it.

The upstream keeps it when the account that answered it is a Responses upstream that
stores responses (not the Codex backend nor xAI, whose quirks refuse the field), and the
model is still served by that account: the id goes there, and the pool pins the
request to it (`pools.Selector.own`). Otherwise the conversation is rebuilt from what
dragoman stored: each response of the chain, oldest first, gives its input items then
its output items (reasoning and tool calls included), then come the request's own;
the request goes on through the IR like any other. As OpenAI does, `instructions` are
the request's own: a previous response's are not carried over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dragoman.dialects.state import PreviousResponseNotFound
from dragoman.ir.errors import GatewayError, InvalidRequest
from dragoman.ir.ids import new_id

if TYPE_CHECKING:
    from dragoman.server.gateway import Gateway
    from dragoman.server.responses.keeper import Keeper
    from dragoman.store.stored_response import StoredResponse

RESPONSES = "openai_responses"
# Responses upstreams that store nothing a later request could name (their quirks
# refuse `previous_response_id`: providers/codex, providers/xai).
STATELESS_KINDS = frozenset({"codex", "xai", "grok"})
# The most responses one chain replays: a cycle cannot be stored, but a bound costs nothing.
CHAIN_MAX = 10_000


@dataclass(slots=True)
class Continuation:
    """How a request naming a stored response goes on: `body` is what to parse (the
    client's own when forwarded, else the replayed conversation)."""

    previous: str
    body: dict[str, Any]
    forwarded: bool


async def continuation(gateway: Gateway, keeper: Keeper, body: dict[str, Any], key: str) -> Continuation:
    """The request's way on; PreviousResponseNotFound when its id is not one dragoman
    stored for this key (the client then sends the whole conversation)."""
    previous = body["previous_response_id"]
    stored = await _found(keeper, previous, key)
    if stored.kept and _serves(gateway, body.get("model"), stored.account):
        if gateway.selector is not None:
            gateway.selector.own(previous, stored.account)  # the binding may have lapsed
        return Continuation(previous, body, forwarded=True)
    return Continuation(previous, await _replayed(keeper, stored, body, key), forwarded=False)


async def whole_conversation(keeper: Keeper, body: dict[str, Any], key: str) -> dict[str, Any]:
    """`body` with the conversation its `previous_response_id` names replayed into its
    input (for counting it: wherever it would be served)."""
    stored = await _found(keeper, body["previous_response_id"], key)
    return await _replayed(keeper, stored, body, key)


async def _found(keeper: Keeper, previous: str, key: str) -> StoredResponse:
    stored = await keeper.get(previous)
    if stored is None or stored.key != key:
        raise _not_found(previous)
    return stored


async def _replayed(keeper: Keeper, stored: StoredResponse, body: dict[str, Any], key: str) -> dict[str, Any]:
    history = await _chain_items(keeper, stored, key)
    replayed = {name: value for name, value in body.items() if name != "previous_response_id"}
    replayed["input"] = history + input_items(body.get("input"))
    return replayed


def keeps_state(kind: str, dialect: str) -> bool:
    """Whether an upstream of this provider kind and dialect stores the responses it answers."""
    return dialect == RESPONSES and kind not in STATELESS_KINDS


def input_items(value: Any) -> list[dict[str, Any]]:
    """A request's `input` as a list of items (a string is one user message)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": value}]}]
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InvalidRequest("input: expected a string or an array of items", param="input")
    return value


def listed_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items as `input_items` lists them: each with an id (made here when it had
    none) and a type, so a page can start after any of them."""
    return [_listed(item) for item in items]


def _listed(item: dict[str, Any]) -> dict[str, Any]:
    kind = item.get("type") or "message"
    listed = {"id": new_id("msg_" if kind == "message" else "item_"), **item, "type": kind}
    if kind == "message" and isinstance(item.get("content"), str):
        # The easy form's text, as OpenAI lists it: one part.
        part = "output_text" if item.get("role") == "assistant" else "input_text"
        listed["content"] = [{"type": part, "text": item["content"]}]
    return listed


def _serves(gateway: Gateway, model: Any, account: str) -> bool:
    if not isinstance(model, str):
        return False
    try:
        routes = gateway.registry.resolve(model)
    except GatewayError:
        return False  # the relay says why, as for any request
    return any(route.upstream.name == account for route in routes)


async def _chain_items(keeper: Keeper, newest: StoredResponse, key: str) -> list[dict[str, Any]]:
    """Every item of the chain ending at `newest`, oldest response first."""
    chain = [newest]
    while (previous := chain[-1].previous_response_id) is not None and len(chain) < CHAIN_MAX:
        # A link deleted (or expired) since is not found: the conversation cannot be rebuilt.
        chain.append(await _found(keeper, previous, key))
    items: list[dict[str, Any]] = []
    for stored in reversed(chain):
        items.extend(stored.input)
        output = stored.response.get("output")
        items.extend(item for item in output or () if isinstance(item, dict))
    return items


def _not_found(previous: str) -> PreviousResponseNotFound:
    return PreviousResponseNotFound(
        f"Previous response with id '{previous}' not found.", param="previous_response_id"
    )
