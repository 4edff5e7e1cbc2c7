"""THE pipeline: client request -> IR -> upstream -> IR events -> client response.

    parse       client dialect's request.parse            (body -> ir.Request)
    limits      server.limits                             (the local key's limits reserved;
                                                          a stream's grown as its output
                                                          passes them, server.metering;
                                                          settled as the answer ends)
    resolve     routing.Registry.resolve                  (model name -> upstream + id; when its
                                                          accounts cannot serve, the next model
                                                          of its chain: server.fallback)
    render      upstream dialect's request.render         (ir.Request -> upstream body)
    send        server.account_answer, server.send        (errors before any byte -> HTTP error;
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

import orjson
from starlette.responses import Response
from starlette.types import Receive

from dragoman.dialects import Dialect
from dragoman.ir import Request, replay
from dragoman.ir.errors import GatewayError, UpstreamError, UpstreamRejected
from dragoman.ir.response import Response as WholeAnswer
from dragoman.policy import budgets
from dragoman.policy.decide import headers_of
from dragoman.pools import Choice, Selector, failover_reason
from dragoman.pools.sessions import SessionKey
from dragoman.routing.registry import Route
from dragoman.server import fallback, key_models, limits
from dragoman.server.account_answer import Answer, open_account
from dragoman.server.batches import client_stream, fold, whole_batches
from dragoman.server.body import check_tool_schemas
from dragoman.server.disconnect import DisconnectWatch
from dragoman.server.exchange import Exchange
from dragoman.server.gateway import Gateway
from dragoman.server.pooling import Attempt, continued_at, stored_upstream
from dragoman.server.streamed import StreamedResponse

log = logging.getLogger("dragoman.relay")

# The session key of a request, derived on demand.
SessionOf = Callable[[], SessionKey | None]

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
            # The response keeps watching while it streams, and stops the watch itself.
            streamed = _streamed(gateway, client, served, answer, hold, exits, exchange, headers, watch)
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
    rendered = orjson.dumps(client.response.render(whole, served))
    if exchange.durable is not None:  # a stored answer is written before its client reads it
        await exchange.settled()
    return Response(rendered, media_type="application/json", headers=headers)


def _streamed(
    gateway: Gateway,
    client: Dialect,
    served: Request,
    answer: Answer,
    hold: budgets.Hold | None,
    exits: AsyncExitStack,
    exchange: Exchange,
    headers: Mapping[str, str] | None,
    watch: DisconnectWatch | None,
) -> StreamedResponse:
    """The answer as the client's dialect streams it (a whole one replayed as events),
    counted against the key's budgets as it passes (`server.metering`)."""
    if isinstance(answer, WholeAnswer):
        batches = whole_batches(replay(answer))
    else:
        batches = answer if hold is None else limits.metered(gateway, served, hold, answer)
    return StreamedResponse(
        client_stream(client.stream.Renderer(served), batches, exits, exchange),
        media_type=SSE,
        headers={**SSE_HEADERS, **headers} if headers else SSE_HEADERS,
        watch=watch,
        exchange=exchange,
        cleanup=exits.aclose,
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
    choice, session, stores = _choose(selector, request, model, routes, exchange, session_of)
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
            answer = await open_account(
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


def _choose(
    selector: Selector,
    request: Request,
    model: str,
    routes: list[Route],
    exchange: Exchange,
    session_of: SessionOf | None,
) -> tuple[Choice[Route], str | None, bool]:
    """The pool's accounts in the order to try them; the request's session; whether its
    answer is stored upstream (so a continuation must come back to that account)."""
    pooled = len(routes) > 1
    session = _session(session_of) if pooled else None
    owner, stores = continued_at(selector, request, pooled), stored_upstream(request, pooled)
    key = exchange.local_key
    guard = key.guard_percent if key is not None else None
    return selector.choose(model, routes, session=session, owner=owner, guard=guard), session, stores


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
