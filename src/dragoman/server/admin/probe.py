"""`POST /v1/admin/accounts/{label}/test`, behind the local key: `dragoman test LABEL`
from the running gateway (the dashboard's "test" button). One small real request, built
and read as the relay does (`cli.check.check`), with the gateway's own clients and, for
a subscription login, its fresh token. The upstream failing is an answer (`ok: false`
and why), not an error of this route.

    {"provider": "work", "model": "gpt-4.1", "dialect": "openai_chat", "url": "...",
     "status": 200, "latency_ms": 412.0, "reply": "OK", "stop_reason": "end_turn",
     "rate_limits": {...}, "error": null, "ok": true}
"""

from __future__ import annotations

from dataclasses import asdict

from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from dragoman.ir.errors import GatewayError, InvalidRequest, NotFound
from dragoman.observe.redact import redact
from dragoman.server.admin.common import json
from dragoman.server.gateway import Gateway
from dragoman.store.accounts import Account


async def try_account(http: HttpRequest) -> Response:
    from dragoman.cli.check import Outcome, check

    gateway: Gateway = http.app.state.gateway
    label = http.path_params["label"]
    upstream = gateway.registry.upstream(label)
    if upstream is None:
        raise NotFound(f"no account {label!r} is served (an account must be served to be tested)")
    if not upstream.models:
        raise InvalidRequest(f"{label} names no models to test with")
    model = upstream.models[0].id
    try:
        account = await _login(gateway, label) if upstream.account_id is not None else None
    except GatewayError as error:
        failed = Outcome(label, model, upstream.dialect, "", error=redact(error.message))
        return json({**asdict(failed), "ok": False})
    outcome = await check(gateway.clients, upstream, model, account)
    return json({**asdict(outcome), "ok": outcome.ok})


async def _login(gateway: Gateway, label: str) -> Account:
    upstream = gateway.registry.upstream(label)
    assert upstream is not None
    if gateway.auth is None:
        raise NotFound(f"{label}'s login is not loaded yet")
    return await gateway.auth.ready(upstream, gateway.clients.client(upstream))
