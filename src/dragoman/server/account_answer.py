"""One account's answer to a request (the relay's `send` and upstream `parse` steps):
the request sent, an error status judged and raised before anything reaches the client
(so another account can still be tried), a stream held until its first content
(`stream_hold`) and decoded (SSE, or a private protocol's own framing), a whole answer
parsed; tool names the upstream could not take given back to the client's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import Any

import orjson

from dragoman.dialects import Dialect
from dragoman.ir import Event, Part, PartStart, Request, StreamError, ToolCall
from dragoman.ir.errors import GatewayError, UpstreamError
from dragoman.ir.response import Response as WholeAnswer
from dragoman.observe.traces.bodies import Bodies
from dragoman.providers.http import UpstreamResponse, iter_ticking, read_all, sse_decoder
from dragoman.providers.upstream import Upstream
from dragoman.routing.registry import Route
from dragoman.server.batches import Batch, Batches, FinalBatch
from dragoman.server.exchange import Exchange
from dragoman.server.gateway import Gateway
from dragoman.server.pooling import Attempt
from dragoman.server.send import send
from dragoman.server.signatures import unsigned_retry
from dragoman.server.stream_hold import Hold, held

log = logging.getLogger("dragoman.relay")

# What the upstream gave: a whole answer, or its stream.
Answer = WholeAnswer | Batches

SSE = "text/event-stream"


async def open_account(
    gateway: Gateway,
    route: Route,
    request: Request,
    exits: AsyncExitStack,
    client_headers: Mapping[str, str] | None,
    attempt: Attempt,
    exchange: Exchange,
) -> Answer:
    """The account's answer; when it refused one of the request's reasoning signatures,
    its answer to the request sent once more without reasoning (`server.signatures`)."""
    try:
        return await _open_upstream(gateway, route, request, exits, client_headers, attempt, exchange)
    except GatewayError:
        unsigned = unsigned_retry(request, attempt)
        if unsigned is None:
            raise
    log.warning(
        "%s refused a reasoning signature; sending the request again without reasoning", route.upstream.name
    )
    return await _open_upstream(gateway, route, unsigned, exits, client_headers, attempt, exchange)


async def _open_upstream(
    gateway: Gateway,
    route: Route,
    request: Request,
    exits: AsyncExitStack,
    client_headers: Mapping[str, str] | None,
    attempt: Attempt,
    exchange: Exchange,
) -> Answer:
    """Send the request; return its answer once the upstream has said yes (a stream:
    once its first content came, `_held`).

    Any failure up to here (unreachable, timeout, an error status, an error event
    before content) is judged and raised, so the client gets a real HTTP error and
    another account can still be tried.
    """
    upstream = route.upstream
    call, response = await send(gateway, route, request, exits, client_headers)
    attempt.url = call.url
    bodies = exchange.bodies
    if bodies is not None:
        bodies.sent(call.content)
    target = call.target
    if response.status_code >= 400:
        raise await _refusal(upstream, target, response, attempt, bodies)
    if _streamed(response, target):
        hold = Hold()
        events = await held(_stream_events(gateway, route, target, response, hold, bodies), hold, attempt)
        attempt.answered(response.headers)
        attempt.stored(hold.answer_id)
        return _restore_names(events, call.client_names) if call.client_names else events
    attempt.answered(response.headers)
    raw = await read_all(upstream, response)
    if bodies is not None:
        bodies.answered(raw)
    body = _json(raw, upstream.name)
    whole: WholeAnswer = target.response.parse(body, origin=upstream.origin)
    attempt.stored(whole.id)
    if whole.stop_reason is None:
        whole.stop_reason = "end_turn"
    if call.client_names:
        whole.parts = [_client_named(part, call.client_names) for part in whole.parts]
    return whole


async def _refusal(
    upstream: Upstream, target: Dialect, response: UpstreamResponse, attempt: Attempt, bodies: Bodies | None
) -> GatewayError:
    """An error status's answer, read, noted on the attempt and parsed in its dialect."""
    error_body = await read_all(upstream, response)
    if bodies is not None:
        bodies.answered(error_body)
    attempt.failed(response.status_code, response.headers, error_body)
    error: GatewayError = target.error.parse(response.status_code, error_body, response.headers)
    # The access line only has the status; some clients print neither cause nor
    # request id (Codex shows a fixed text for any 500), so the log keeps the cause.
    log.warning("%s answered %d: %s", upstream.name, response.status_code, error.message)
    return error


async def _stream_events(
    gateway: Gateway,
    route: Route,
    target: Dialect,
    response: UpstreamResponse,
    hold: Hold,
    bodies: Bodies | None = None,
) -> Batches:
    """The upstream's stream as batches of IR events, one batch per network chunk so the
    client gets one write per chunk too; `None` marks a silence worth a keep-alive.
    Until its first content, `hold` looks at each event (`stream_hold`); `bodies`, when
    the trace keeps them, gets each chunk as it came."""
    decoder = _decoder(route.upstream, target)
    parser = target.stream.Parser(route.upstream.origin)
    chunks = iter_ticking(route.upstream, response, gateway.settings.keepalive_seconds)
    try:
        async for chunk in chunks:
            if chunk is None:
                yield None
                continue
            if bodies is not None:
                bodies.answered(chunk)
            if hold.holding:
                batch = hold.scan(decoder.feed(chunk), parser)
            else:
                batch = [event for message in decoder.feed(chunk) for event in parser.feed(message)]
            if response.finished():
                # The upstream's body is all here: its end goes out with this chunk.
                yield FinalBatch(batch + _tail(decoder, parser))
                return
            if batch:
                yield batch
        yield FinalBatch(_tail(decoder, parser))
    except GatewayError as error:
        yield FinalBatch([StreamError(error)])
    finally:
        await chunks.aclose()


def _streamed(response: UpstreamResponse, target: Dialect) -> bool:
    """Whether the answer is the target's stream: SSE, or a private protocol's framing."""
    media_type = response.headers.get("content-type", "")
    return media_type.startswith((SSE, getattr(target.stream, "MEDIA_TYPE", SSE)))


def _decoder(upstream: Upstream, target: Dialect) -> Any:
    """The stream's decoder (`feed(chunk)`, `flush()`): SSE, or a private protocol's own."""
    own = getattr(target.stream, "decoder", None)
    return own(upstream.max_answer_bytes) if own is not None else sse_decoder(upstream)


def _tail(decoder: Any, parser: Any) -> Batch:
    """The events the end of the upstream's bytes completes."""
    return [*(event for message in decoder.flush() for event in parser.feed(message)), *parser.close()]


async def _restore_names(batches: Batches, client_names: dict[str, str]) -> Batches:
    """Tool calls renamed for the upstream (`ir.names`) carry the client's names again."""
    try:
        async for batch in batches:
            # type(batch): a FinalBatch stays final.
            yield None if batch is None else type(batch)(_client_name(event, client_names) for event in batch)
    finally:
        await batches.aclose()


def _client_name(event: Event, client_names: dict[str, str]) -> Event:
    if isinstance(event, PartStart) and isinstance(event.part, ToolCall):
        return replace(event, part=_client_named(event.part, client_names))  # keeps its choice
    return event


def _client_named(part: Part, client_names: dict[str, str]) -> Part:
    if isinstance(part, ToolCall) and part.name in client_names:
        return replace(part, name=client_names[part.name])
    return part


def _json(body: bytes, name: str) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise UpstreamError(f"{name} answered with something that is not JSON") from None
