"""One JSON call to an upstream that is not a generation (a count, a compaction, an
image), on the account the model's pool picks: judged as the relay judges a
generation's (a failure of the account cools it and the next account is tried; the
request's own fault is raised at once), recorded in the request's trace as an attempt.
`operation` names what was asked, for the pool rules that depend on it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from dragoman.dialects import Dialect
from dragoman.ir.errors import GatewayError, UpstreamError, UpstreamRejected
from dragoman.providers.http import read_all
from dragoman.routing.registry import Route
from dragoman.server.exchange import Exchange
from dragoman.server.gateway import Gateway
from dragoman.server.pooling import Attempt, refused

T = TypeVar("T")
# Call the upstream of the route, judging the answer on the attempt.
Operation = Callable[[Route, Attempt], Awaitable[T]]


async def on_pool(
    gateway: Gateway,
    exchange: Exchange,
    model: str,
    routes: list[Route],
    session: str | None,
    operation: str,
    call: Operation[T],
) -> T:
    """`call`'s result on the first account of the pool that answers it."""
    if gateway.selector is None:
        raise UpstreamError("dragoman is not started yet")
    selector = gateway.selector
    choice = selector.choose(model, routes, session=session)
    failure: GatewayError | None = None
    for candidate in choice.candidates:
        if not await selector.acquire(choice, candidate):
            continue
        attempt = Attempt(selector, candidate, model, session, operation=operation)
        exchange.attempts.append(attempt)
        exchange.chose(candidate.account, candidate.route.model, candidate.reason)
        try:
            return await call(candidate.route, attempt)
        except GatewayError as error:
            attempt.error = error.code
            if not _another(error, attempt):
                raise
            failure = error
        finally:
            selector.release(candidate)
    raise failure or refused(selector.refusal(choice))


async def post_json(
    gateway: Gateway,
    route: Route,
    attempt: Attempt,
    url: str,
    content: bytes,
    headers: dict[str, str],
    target: Dialect,
) -> tuple[bytes, str]:
    """(the body, its content type) of the upstream's answer to a POST; an error
    answer judged on `attempt` and raised in `target`'s terms."""
    upstream = route.upstream
    attempt.url = url
    response = await gateway.clients.open(upstream, "POST", url, content=content, headers=headers)
    try:
        raw = await read_all(upstream, response)
    finally:
        await response.aclose()
    if response.status_code >= 400:
        attempt.failed(response.status_code, response.headers, raw)
        raise target.error.parse(response.status_code, raw, response.headers)
    attempt.answered(response.headers)
    return raw, response.headers.get("content-type", "application/json")


def _another(error: GatewayError, attempt: Attempt) -> bool:
    """Whether another account may answer: the failure was this account's own."""
    unanswered = isinstance(error, UpstreamError) and not isinstance(error, UpstreamRejected)
    if attempt.decision is None and unanswered:
        attempt.unreachable()
    return attempt.fail_over
