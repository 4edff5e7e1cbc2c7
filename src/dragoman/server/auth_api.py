"""The gateway's own subscription endpoints, behind the local key:

    GET  /v1/status        every subscription account: plan, expiry, health, usage, risk;
                           and the usage windows of each Claude login clients bring
                           (`client_logins`, known by a digest of the token)
    POST /v1/auth/refresh  refresh now (?provider=KIND or ?account=ID_OR_LABEL narrows it)

No answer carries a token.
"""

from __future__ import annotations

from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response

from dragoman.auth.endpoints import subscription_kinds
from dragoman.auth.refresh import TokenKeeper
from dragoman.auth.status import status_row
from dragoman.ir.errors import NotFound
from dragoman.observe.redact import redact
from dragoman.server.gateway import Gateway
from dragoman.store.accounts import Account


async def status(http: HttpRequest) -> Response:
    keeper = _keeper(http)
    seen = keeper.windows if keeper is not None else {}
    rows = []
    for account in await _chosen(keeper, http):
        seen_at, windows = seen.get(account.id, (None, None))
        rows.append(status_row(account, windows, seen_at))
    gateway: Gateway = http.app.state.gateway
    # The filters name subscription accounts: a client's login is none of them.
    narrowed = http.query_params.get("account") or http.query_params.get("provider")
    brought = [] if narrowed or gateway.client_logins is None else gateway.client_logins.rows()
    return JSONResponse({"accounts": rows, "client_logins": brought})


async def refresh(http: HttpRequest) -> Response:
    keeper = _keeper(http)
    chosen = await _chosen(keeper, http)
    outcomes = await keeper.refresh_each(chosen) if keeper is not None else []
    for outcome in outcomes:
        if "error" in outcome:
            outcome["error"] = redact(outcome["error"])
    return JSONResponse({"refreshed": outcomes})


def _keeper(http: HttpRequest) -> TokenKeeper | None:
    """None while the database holds no account (it is not even open): so no login either."""
    gateway: Gateway = http.app.state.gateway
    return gateway.auth


async def _chosen(keeper: TokenKeeper | None, http: HttpRequest) -> list[Account]:
    provider, key = http.query_params.get("provider"), http.query_params.get("account")
    if provider and provider not in subscription_kinds():
        kinds = ", ".join(subscription_kinds())
        raise NotFound(f"there is no subscription provider {provider!r} (subscription logins: {kinds})")
    logins = await keeper.store.logins(provider or None) if keeper is not None else []
    if key:
        logins = [login for login in logins if key in (login.label, str(login.id))]
        if not logins:
            raise NotFound(f"no subscription account {key!r}")
    return logins
