"""The Responses dialect as the relay uses it for a request whose answer is stored: the
same renderers, each handing its finished Response object to the keeper as it ends.

The relay stays as it is (`replace(client, ...)`, as Gemini's array framing does): the
whole answer's `render` and the stream's last event are where the Response object is
complete, so that is where it is kept; nothing is looked at per event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from dragoman.dialects import Dialect
from dragoman.ir.request import Request
from dragoman.ir.response import Response
from dragoman.server.exchange import Exchange
from dragoman.server.responses.conversation import keeps_state
from dragoman.server.responses.keeper import Keeper
from dragoman.store.stored_response import StoredResponse

log = logging.getLogger("dragoman.responses")

OnFinal = Callable[[dict[str, Any]], None]


@dataclass(slots=True)
class Keeping:
    """What a stored answer needs beyond its Response object."""

    # None: nothing kept (`store: false`), the continued response's id still echoed.
    keeper: Keeper | None
    exchange: Exchange
    # The request's own input items (as sent: ids come later, off the request path) and
    # instructions.
    input: list[dict[str, Any]]
    instructions: Any
    # The response it continues, echoed even when its conversation was replayed.
    previous: str | None = None
    # A background run's id, given before its answer exists; such an answer is
    # dragoman's alone (its upstream's id is not kept).
    response_id: str | None = None
    background: bool = False


def keeping_dialect(client: Dialect, keeping: Keeping) -> Dialect:
    """`client` (the Responses dialect) with its answers kept by `keeping.keeper`."""
    on_final = partial(_kept, keeping)
    response = _WholeAnswer(client.response.render, on_final, keeping)
    stream = _Stream(client.stream.Renderer, on_final, keeping)
    return replace(client, response=response, stream=stream)  # type: ignore[arg-type]


class _WholeAnswer:
    def __init__(self, render: Callable[..., dict[str, Any]], on_final: OnFinal, keeping: Keeping) -> None:
        self._render, self._on_final, self._keeping = render, on_final, keeping

    def render(self, response: Response, request: Request) -> dict[str, Any]:
        body = self._render(response, _echoing(request, self._keeping))
        if self._keeping.response_id is not None:
            body["id"] = self._keeping.response_id
        self._on_final(body)
        return body


class _Stream:
    def __init__(self, renderer: Callable[..., Any], on_final: OnFinal, keeping: Keeping) -> None:
        self._renderer, self._on_final, self._keeping = renderer, on_final, keeping

    def Renderer(self, request: Request) -> Any:
        keeping = self._keeping
        return self._renderer(_echoing(request, keeping), self._on_final, keeping.response_id)


def _echoing(request: Request, keeping: Keeping) -> Request:
    """The request as its answer echoes it: naming the response it continues."""
    if keeping.previous is None or request.previous_response_id == keeping.previous:
        return request
    return replace(request, previous_response_id=keeping.previous)


def _kept(keeping: Keeping, body: dict[str, Any]) -> None:
    """Keep the finished answer; a fault here costs the stored copy, never the answer."""
    if keeping.keeper is None:
        return
    try:
        keeping.keeper.keep(stored_of(keeping, body))
    except Exception:
        log.exception("response %s not stored", body.get("id"))
        return
    keeping.exchange.durable = keeping.keeper.written


def stored_of(keeping: Keeping, body: dict[str, Any]) -> StoredResponse:
    exchange = keeping.exchange
    response = {**body, "instructions": keeping.instructions}
    if keeping.background:
        response["background"] = True
    return StoredResponse(
        id=str(body["id"]),
        created_at=float(body.get("created_at") or time.time()),
        key=exchange.key or "",
        account=exchange.provider or "",
        kept=keeping.response_id is None and _upstream_keeps(exchange),
        previous_response_id=keeping.previous,
        response=response,
        input=keeping.input,
        listed=False,
    )


def _upstream_keeps(exchange: Exchange) -> bool:
    if not exchange.attempts:
        return False
    upstream = exchange.attempts[-1].candidate.route.upstream
    return keeps_state(upstream.spec.kind, upstream.dialect)
