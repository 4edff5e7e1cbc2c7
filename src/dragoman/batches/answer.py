"""One batch request answered through the relay, as any /v1/messages request is (pools,
fallbacks, the key's limits, traces), and its result line."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import orjson

from dragoman import dialects
from dragoman.ir.errors import AuthenticationFailed
from dragoman.observe.log import request_id
from dragoman.server.errors import as_gateway_error
from dragoman.server.exchange import Exchange

if TYPE_CHECKING:
    from dragoman.batches.store import Claimed
    from dragoman.server.gateway import Gateway

PATH = "/v1/messages"


async def answer(gateway: Gateway, claimed: Claimed) -> tuple[str, dict[str, Any]]:
    """The request's (state, result): `succeeded` with the Message, else `errored`."""
    exchange = Exchange(request_id=f"{claimed.batch_id}-{claimed.custom_id}", method="POST", path=PATH)
    exchange.dialect = "anthropic"
    token = request_id.set(exchange.request_id)
    if gateway.metrics is not None:
        gateway.metrics.arrived()
    try:
        status, body = await _relayed(gateway, claimed, exchange)
    finally:
        exchange.status = exchange.status or 500
        _recorded(gateway, exchange)
        request_id.reset(token)
    if status < 400:
        return "succeeded", {"type": "succeeded", "message": body}
    return "errored", {"type": "errored", "error": body}


async def _relayed(gateway: Gateway, claimed: Claimed, exchange: Exchange) -> tuple[int, Any]:
    from dragoman.server.relay import relay  # the relay imports the gateway: not at import time

    anthropic = dialects.get("anthropic")
    try:
        _key(gateway, claimed.key, exchange)
        request = anthropic.request.parse(claimed.params)
        request.stream = False
        response = await relay(gateway, anthropic, request, exchange)
        body: Any = orjson.loads(bytes(response.body))
        status = response.status_code
    except Exception as error:  # any failure is this request's result, never the batch's
        status, body = anthropic.error.render(as_gateway_error(error))
    exchange.status = status
    return status, body


def _key(gateway: Gateway, name: str, exchange: Exchange) -> None:
    """The key that made the batch, whose limits each of its requests is held to."""
    if not name:
        return
    key = gateway.key_ring.by_name(name)
    if key is None:
        raise AuthenticationFailed(f"key {name} was revoked after it made this batch")
    if key.expires is not None and key.expired(time.time()):
        raise AuthenticationFailed(f"key {name} expired after it made this batch")
    exchange.local_key, exchange.key = key, name


def _recorded(gateway: Gateway, exchange: Exchange) -> None:
    if gateway.tracer is not None:
        gateway.tracer.finish(exchange)
    if gateway.metrics is not None:
        gateway.metrics.record(exchange)
