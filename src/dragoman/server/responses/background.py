"""Background runs (`background: true`): answered at once with a queued Response, the
request then served by the relay as a task of its own, its answer stored when done;
`cancel` stops the task. Each run is traced as a request of its own."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Any

from dragoman.dialects import Dialect
from dragoman.dialects.openai_responses.response import snapshot
from dragoman.ir.errors import GatewayError, InvalidRequest
from dragoman.ir.ids import new_id
from dragoman.ir.request import Request
from dragoman.server.exchange import Exchange
from dragoman.server.gateway import Gateway
from dragoman.server.relay import relay
from dragoman.server.responses.capture import Keeping, keeping_dialect, stored_of

log = logging.getLogger("dragoman.responses")


def check_background(body: dict[str, Any]) -> None:
    """OpenAI's own limits on background mode, said before anything runs."""
    if body.get("store") is False:
        raise InvalidRequest("background mode requires `store` to be true", param="background")
    if body.get("stream") is True:
        raise InvalidRequest(
            "background mode with `stream` is not served by dragoman: poll GET /v1/responses/{id}",
            param="stream",
        )


def start_run(gateway: Gateway, client: Dialect, request: Request, keeping: Keeping) -> dict[str, Any]:
    """Queue the run; the queued Response object its client gets now."""
    assert gateway.responses is not None
    keeping.response_id = response_id = new_id("resp_")
    keeping.background = True
    queued = snapshot(request, response_id, request.model, int(time.time()))
    queued["status"], queued["background"] = "queued", True
    if keeping.previous is not None:
        queued["previous_response_id"] = keeping.previous
    gateway.responses.keep(stored_of(keeping, queued))
    run = _run(gateway, keeping_dialect(client, keeping), request, keeping, queued)
    gateway.responses.running[response_id] = asyncio.create_task(run, name=f"background {response_id}")
    return queued


async def cancel_run(gateway: Gateway, response_id: str) -> None:
    """Stop the run if it is still going; its Response is then stored as cancelled."""
    assert gateway.responses is not None
    task = gateway.responses.running.get(response_id)
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _run(
    gateway: Gateway, client: Dialect, request: Request, keeping: Keeping, queued: dict[str, Any]
) -> None:
    outer = keeping.exchange
    exchange = Exchange(request_id=new_id("bg_"), method="POST", path="/v1/responses", dialect=client.name)
    exchange.local_key, exchange.key, exchange.traced = outer.local_key, outer.key, True
    keeping.exchange = exchange
    try:
        response = await relay(gateway, client, replace(request, stream=False), exchange)
        exchange.status = response.status_code
    except asyncio.CancelledError:
        _ended(gateway, keeping, queued, "cancelled", None)
        exchange.status, exchange.ended = 499, "cancelled"
    except GatewayError as error:
        _ended(gateway, keeping, queued, "failed", {"code": error.code, "message": error.message})
        exchange.status = error.status
    except Exception:
        log.exception("background response %s failed", keeping.response_id)
        _ended(gateway, keeping, queued, "failed", {"code": "server_error", "message": "internal error"})
        exchange.status = 500
    finally:
        assert gateway.responses is not None
        gateway.responses.running.pop(keeping.response_id or "", None)
        if gateway.tracer is not None:
            gateway.tracer.finish(exchange)


def _ended(
    gateway: Gateway, keeping: Keeping, queued: dict[str, Any], status: str, error: dict[str, str] | None
) -> None:
    assert gateway.responses is not None
    body = {**queued, "status": status, "error": error}
    gateway.responses.keep(stored_of(keeping, body))
