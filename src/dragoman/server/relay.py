"""THE pipeline: client request -> IR -> upstream -> IR events -> client response.

    parse       client dialect's request.parse            (body -> ir.Request)
    limits      server.limits                             (the local key's limits reserved;
                                                          settled as the answer ends)
    resolve     routing.Registry.resolve                  (model name -> upstream + id; when its
                                                          accounts cannot serve, the next model
                                                          of its chain: server.fallback)
    render      upstream dialect's request.render         (ir.Request -> upstream body)
    send        server.send, providers.http               (errors before any byte -> HTTP error;
                                                          a login: fresh token, one retry on 401;
                                                          a refused signature: one retry without
                                                          reasoning, server.signatures)
    parse       upstream dialect's stream.Parser          (SSE -> ir events; a private protocol's
                                                          own framing: Kiro's event stream), or
                response.parse                            (JSON -> ir.Response)
    render      client dialect's stream.Renderer          (ir events -> SSE, flushed per chunk), or
                response.render                           (ir.Response -> one JSON body)

The relay adapts when the upstream streams and the client did not ask for it (or the
reverse), by looking at what the upstream actually sent: ir.Accumulator folds events
into a whole answer, ir.replay plays a whole answer as events. During upstream silence
it sends the client dialect's keep-alive. From the moment the request is parsed, a
client that leaves stops the work done for it (`disconnect`): the upstream call is
abandoned whether its answer was still awaited or already streaming.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import Receive

from dragoman.dialects import Dialect
from dragoman.ir import Event, Part, PartStart, Request, StreamError, ToolCall, replay
from dragoman.ir.errors import GatewayError, UpstreamError, UpstreamRejected
from dragoman.ir.response import Response as WholeAnswer
from dragoman.observe.traces.bodies import Bodies
from dragoman.policy import budgets
from dragoman.policy.decide import headers_of
from dragoman.pools import Selector, failover_reason
from dragoman.pools.sessions import SessionKey
from dragoman.providers.http import UpstreamResponse, iter_ticking, read_all, sse_decoder
from dragoman.providers.upstream import Upstream
from dragoman.routing.registry import Route
from dragoman.server import fallback, key_models, limits
from dragoman.server.batches import Batch, Batches, FinalBatch, client_stream, fold, whole_batches
from dragoman.server.body import check_tool_schemas
from dragoman.server.disconnect import DisconnectWatch
from dragoman.server.exchange import Exchange
from dragoman.server.gateway import Gateway
from dragoman.server.pooling import Attempt, continued_at, stored_upstream
from dragoman.server.send import send
from dragoman.server.signatures import unsigned_retry
from dragoman.server.stream_hold import Hold, held
from dragoman.server.streamed import StreamedResponse

log = logging.getLogger("dragoman.relay")

# The session key of a request, derived on demand.
SessionOf = Callable[[], SessionKey | None]
# What the upstream gave: a whole answer, or its stream.
Answer = WholeAnswer | Batches

SSE = "text/event-stream"
SSE_HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}
# What the access log shows for a request whose client left first (nginx's convention);
# the client never sees it.
CLIENT_GONE = 499


async def relay(
    gateway: Gateway,
    client: Dialect,
    request: Request,
    exchange: Exchange,
    client_headers: Mapping[str, str] | None = None,
    receive: Receive | None = None,
    session: SessionOf | None = None,
    key: Callable[[], str] | None = None,
) -> Response:
    """Serve one parsed request: pick the account, call the upstream, answer the client.
    With `receive` (the request's body already read), a client leaving ends it all.
    `session` tells the conversation it belongs to, kept on one account while it may:
    asked only when the model's pool has more than one account, or by `auto` (deriving
    it costs). `key` names the local key, for routing rules that match on it."""
    exchange.model, exchange.stream = request.model, request.stream
    # The routing policy (`dragoman.policy`): which model the request asks for now.
    decision = gateway.policy.route(request, gateway.registry, client.name, client_headers, key, session)
    if decision is not None:
        exchange.routing = decision.trace()
    headers = headers_of(decision)
    if request.tools:
        check_tool_schemas([tool.parameters for tool in request.tools])
    hold = await limits.admit(gateway, request, exchange)
    watch = DisconnectWatch(receive) if receive is not None else None
    try:
        answer, exits, served = await _held_answer(gateway, request, exchange, client_headers, session, hold)
        if request.stream:
            batches = whole_batches(replay(answer)) if isinstance(answer, WholeAnswer) else answer
            body = client_stream(client.stream.Renderer(served), batches, exits, exchange)
            # The response keeps watching while it streams, and stops the watch itself.
            streamed = StreamedResponse(
                body,
                media_type=SSE,
                headers={**SSE_HEADERS, **headers} if headers else SSE_HEADERS,
                watch=watch,
                exchange=exchange,
                cleanup=exits.aclose,
            )
            watch = None
            return streamed
        async with exits:  # its usage noted before they end: they settle the key's limits
            whole = await _folded(answer, exchange)
            exchange.usage = whole.usage
    except asyncio.CancelledError:
        if watch is None or not watch.withdraw():
            raise
        log.info("the client left before its answer was ready; the upstream call was abandoned")
        exchange.ended = "client_left"
        return Response(status_code=CLIENT_GONE)
    finally:
        if watch is not None:
            watch.stop()
    return Response(
        orjson.dumps(client.response.render(whole, served)), media_type="application/json", headers=headers
    )


async def _folded(answer: Answer, exchange: Exchange) -> WholeAnswer:
    """The whole answer; one cut short is noted as a stream's end is (the key's limits
    then count only its prompt: `server.limits`)."""
    if isinstance(answer, WholeAnswer):
        return answer
    try:
        whole: WholeAnswer = await fold(answer)
    except asyncio.CancelledError:
        exchange.ended = "client_left"
        raise
    except GatewayError as error:
        exchange.fail(error.code)
        raise
    return whole


async def _held_answer(
    gateway: Gateway,
    request: Request,
    exchange: Exchange,
    client_headers: Mapping[str, str] | None,
    session_of: SessionOf | None,
    hold: budgets.Hold | None,
) -> tuple[Answer, AsyncExitStack, Request]:
    """The first answer, with the key's limits held until it ends (`server.limits`):
    released when no answer came, the prompt counted when the client left first."""
    if hold is None:
        return await _first_answer(gateway, request, exchange, client_headers, session_of)
    try:
        answer, exits, served = await _first_answer(gateway, request, exchange, client_headers, session_of)
    except asyncio.CancelledError:
        await hold.settle_input()
        raise
    except BaseException:
        await hold.release()
        raise
    exits.push_async_callback(limits.settle, hold, exchange)
    return answer, exits, served


async def _first_answer(
    gateway: Gateway,
    request: Request,
    exchange: Exchange,
    client_headers: Mapping[str, str] | None,
    session_of: SessionOf | None,
) -> tuple[Answer, AsyncExitStack, Request]:
    """The first answer for the request, and the request as the model that answered
    it served it: the requested model's pool, then its fallback chain's
    (`server.fallback`), when it has one."""
    _started(gateway)
    registry = gateway.registry
    routes = registry.resolve(request.model)
    key_models.require(exchange.local_key, request.model, routes)
    # A continuation's state lives where its model stored it: it has nowhere else to go.
    moves = not registry.chains.empty and request.previous_response_id is None
    links = registry.chains.after(request.model, routes[0].model) if moves else ()
    if not links:
        answer, exits = await _pool_answer(
            gateway, request, request.model, routes, None, False, exchange, client_headers, session_of
        )
        return answer, exits, request

    async def pool(
        served: Request, model: str, model_routes: list[Route], because: str | None, skip: bool
    ) -> tuple[Answer, AsyncExitStack]:
        if not key_models.allowed(exchange.local_key, model, model_routes):
            raise fallback.ModelOut(model, f"key {exchange.key} may not use it")
        return await _pool_answer(
            gateway, served, model, model_routes, because, skip, exchange, client_headers, session_of, True
        )

    return await fallback.walk(registry, request, routes, list(links), pool)


async def _pool_answer(
    gateway: Gateway,
    request: Request,
    model: str,
    routes: list[Route],
    because: str | None,
    skip_blipped: bool,
    exchange: Exchange,
    client_headers: Mapping[str, str] | None,
    session_of: SessionOf | None,
    chained: bool = False,
) -> tuple[Answer, AsyncExitStack]:
    """The first account of the model's pool that accepts the request, in the pool's
    order (`pools.Selector.choose`); an account down, overloaded or out of quota is
    passed over, a fault of the request raised at once (`fallback.model_end`, `fallback.pool_out`)."""
    selector = _started(gateway)
    pooled = len(routes) > 1
    session = _session(session_of) if pooled else None
    owner, stores = continued_at(selector, request, pooled), stored_upstream(request, pooled)
    key = exchange.local_key
    guard = key.guard_percent if key is not None else None
    choice = selector.choose(model, routes, session=session, owner=owner, guard=guard)
    if skip_blipped and choice.blipped:
        raise fallback.refused_out(model, selector.refusal(choice), blipped=True)
    failure: GatewayError | None = None
    last = len(choice.candidates)
    for number, candidate in enumerate(choice.candidates, start=1):
        if not await selector.acquire(choice, candidate):
            continue
        exits = AsyncExitStack()
        exits.callback(selector.release, candidate)
        attempt = Attempt(selector, candidate, model, session, stores)
        exchange.attempts.append(attempt)
        exchange.chose(candidate.account, candidate.route.model, because or candidate.reason)
        try:
            answer = await _open_account(
                gateway, candidate.route, request, exits, client_headers, attempt, exchange
            )
            return answer, exits
        except GatewayError as error:
            attempt.error = error.code
            await exits.aclose()
            if not _worth_another_account(error, attempt) or number == last:
                if (moved := fallback.model_end(error, attempt, model, chained)) is None:
                    raise
                raise moved from error
            log.warning("%s failed (%s); trying another account", candidate.account, attempt.because)
            failure, because = error, failover_reason(candidate.account, attempt.because)
        except BaseException:
            await exits.aclose()
            raise
    raise fallback.pool_out(selector.refusal(choice), failure, because, model, chained)


def _started(gateway: Gateway) -> Selector:
    if gateway.selector is None:
        raise UpstreamError("dragoman is not started yet")
    return gateway.selector


def _session(session_of: SessionOf | None) -> str | None:
    found = session_of() if session_of is not None else None
    return found.key if found is not None else None


def _worth_another_account(error: GatewayError, attempt: Attempt) -> bool:
    """Judge a failure not judged yet (no answer came); True when the account's
    failure is its own, not the request's."""
    unanswered = isinstance(error, UpstreamError) and not isinstance(error, UpstreamRejected)
    if attempt.decision is None and unanswered:
        attempt.unreachable()
    return attempt.fail_over


async def _open_account(
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
        error_body = await read_all(upstream, response)
        if bodies is not None:
            bodies.answered(error_body)
        attempt.failed(response.status_code, response.headers, error_body)
        error = target.error.parse(response.status_code, error_body, response.headers)
        # The access line only has the status; some clients print neither cause nor
        # request id (Codex shows a fixed text for any 500), so the log keeps the cause.
        log.warning("%s answered %d: %s", upstream.name, response.status_code, error.message)
        raise error
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
