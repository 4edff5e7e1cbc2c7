"""The checks of the accounts: served or why not, subscription tokens, and with
`--online` a refresh, one tiny request each (`dragoman test`'s) and the clock."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

from dragoman.auth.refresh import TokenKeeper
from dragoman.auth.status import health, problem, relative
from dragoman.auth.store import CredentialStore
from dragoman.cli.check import Outcome, check
from dragoman.cli.doctor.findings import Finding, fail, ok, warn
from dragoman.cli.login import credential_store
from dragoman.config import Settings
from dragoman.ir.errors import GatewayError
from dragoman.observe.redact import redact
from dragoman.providers.http import UpstreamClients
from dragoman.providers.upstream import Upstream
from dragoman.routing.catalog import Catalog
from dragoman.store.accounts import Account

# Past this, signed requests and token expiry checks start to fail.
SKEW_SECONDS = 60.0


def served(catalog: Catalog) -> list[Finding]:
    found = [ok(f"account {up.name}", f"served: {len(up.models)} models") for up in catalog.sources()]
    for item in [*catalog.skipped, *catalog.unserved_accounts]:
        fix = f"`dragoman accounts list` shows {item.name}; fix its key or login, or remove it"
        found.append(fail(f"account {item.name}", f"not served: {item.reason}", fix))
    if not found:
        fix = "add a [providers.NAME] table, `dragoman accounts add` or `dragoman login`"
        found.append(warn("accounts", "none: dragoman has nothing to serve", fix))
    return found


def tokens(logins: list[Account], now: float | None = None) -> list[Finding]:
    return [token(account, now) for account in logins]


def token(account: Account, now: float | None = None) -> Finding:
    area, state = f"login {account.label}", health(account, now)
    expiry = f"token expires {relative(account.expires_at, now)}" if account.expires_at else "token"
    if state in ("ok", "refreshes soon"):
        return ok(area, f"{expiry}: {state}")
    if state == "expired":
        return ok(area, f"{expiry}: refreshed on next use")
    why = redact(problem(account) or state)
    if state == "refresh failed":
        return fail(area, f"the last refresh failed: {why}", f"dragoman refresh --account {account.label}")
    return fail(area, f"{state}: {why}", f"dragoman login --provider {account.provider}")


async def logins(settings: Settings) -> list[Account]:
    async with credential_store(settings, create=False) as store:
        return await store.logins(None) if store is not None else []


async def refreshed(settings: Settings, accounts: list[Account]) -> list[Finding]:
    """Each login refreshed now (a real refresh: the provider rotates the token)."""
    if not accounts:
        return []
    async with credential_store(settings, create=False) as store:
        assert store is not None
        keeper = TokenKeeper(CredentialStore(store.engine, store.keys), settings)
        try:
            outcomes = await keeper.refresh_each(accounts)
        finally:
            await keeper.aclose()
    return [_refresh_finding(outcome) for outcome in outcomes]


def _refresh_finding(outcome: dict[str, object]) -> Finding:
    area = f"refresh {outcome['label']}"
    if outcome["ok"]:
        return ok(area, "works")
    fix = f"dragoman login again (`dragoman logout` then `dragoman login`) for {outcome['label']}"
    return fail(area, f"failed: {redact(str(outcome['error']))}", fix)


async def probes(settings: Settings, catalog: Catalog) -> list[Finding]:
    """One tiny request to each served upstream with its first model, as `dragoman test`."""
    clients = UpstreamClients()
    try:
        outcomes = [await _probe(settings, clients, up) for up in catalog.upstreams() if up.models]
    finally:
        await clients.aclose()
    return [_probe_finding(outcome) for outcome in outcomes] + clock(outcomes)


async def _probe(settings: Settings, clients: UpstreamClients, upstream: Upstream) -> Outcome:
    model = upstream.models[0].id
    if upstream.account_id is None:
        return await check(clients, upstream, model)
    async with credential_store(settings, create=False) as store:
        assert store is not None
        keeper = TokenKeeper(CredentialStore(store.engine, store.keys), settings)
        try:
            account = await keeper.ready(upstream, clients.client(upstream))
        except GatewayError as error:
            return Outcome(upstream.name, model, upstream.dialect, "", error=redact(error.message))
        finally:
            await keeper.aclose()
    return await check(clients, upstream, model, account)


def _probe_finding(outcome: Outcome) -> Finding:
    area = f"upstream {outcome.provider}"
    if outcome.ok:
        return ok(area, f"{outcome.model} answered in {outcome.latency_ms:,.0f} ms")
    fix = f"`dragoman test {outcome.provider}` shows the whole answer"
    return fail(area, f"{outcome.model}: {outcome.error}", fix)


def clock(outcomes: list[Outcome], now: float | None = None) -> list[Finding]:
    """This machine's clock against the first upstream `Date` header at hand."""
    date = next((outcome.server_date for outcome in outcomes if outcome.server_date), None)
    if date is None:
        return []
    try:
        skew = (time.time() if now is None else now) - parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError):
        return []
    if abs(skew) > SKEW_SECONDS:
        direction = "ahead of" if skew > 0 else "behind"
        detail = f"this machine's clock is {abs(skew):,.0f} s {direction} the upstream's"
        return [fail("clock", detail, "turn on time sync (`timedatectl set-ntp true`)")]
    return [ok("clock", f"within {abs(skew):.0f} s of the upstream's")]
