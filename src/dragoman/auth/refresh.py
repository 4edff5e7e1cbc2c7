"""Fresh tokens for every request to a subscription account.

`TokenKeeper.ready(upstream)` gives the account with an access token good for at least
`MARGIN` more seconds, refreshing it first when needed, and runs the kind's one-time
`setup` before its first request. After an upstream 401, `recover` refreshes once
unless another coroutine or process already did.

Refreshes are single-flight per account: the in-process lock makes the 49 other
requests of a burst wait for the first one's refresh and reuse it; the state's lock
(`dragoman.state.Locks`: a file lock on one host, a Redis lock across replicas) does the
same for other dragoman processes. Under both locks the stored row is read again before
refreshing, so a rotating refresh token is never sent twice. The tokens are written
with the lock's fencing token: a holder whose Redis lock ran out mid-refresh finds its
write refused and takes the newer tokens instead of overwriting them.

A refresh, once begun, ends and is stored whatever happens to the request that asked
for it: it runs as a task of its own that a cancelled request (a client that left)
stops waiting for but never stops (`store.durable.finish`). The provider may already
have rotated the refresh token; dropping its answer would log the account out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dragoman.auth import tokens
from dragoman.auth.endpoints import oauth_for, subscription_spec
from dragoman.auth.rows import AUTH_ERROR, INELIGIBLE, REFRESH_ERROR, AccountGone, StaleFence, fence_of
from dragoman.config import ConfigError, Settings
from dragoman.ir.errors import AuthenticationFailed, GatewayError, UpstreamError, UpstreamTimeout
from dragoman.providers.spec import ProviderSpec
from dragoman.providers.subscription import AccountRuntime, Ineligible, UsageWindow
from dragoman.providers.upstream import Upstream
from dragoman.state.bundle import REDIS_PREFIX
from dragoman.state.locking import LocalLocks, LockTimeout, close_locks, open_locks
from dragoman.store.accounts import Account
from dragoman.store.durable import finish, settle
from dragoman.store.keyring import SecretKeyError

if TYPE_CHECKING:
    import httpx

    from dragoman.auth.store import CredentialStore
    from dragoman.state import Lease, Locks

log = logging.getLogger("dragoman.auth")

# Refresh this long before the access token expires, so no request carries a token
# that dies on the way.
MARGIN = 300.0
# A token of unknown expiry is refreshed after this long (OpenAI's CLI waits 8 days).
STALE_AFTER = 8 * 86400.0
# Usage windows seen in responses are written to the database at most this often.
USAGE_SAVE_SECONDS = 60.0
SETUP_AT = "setup_at"
# A refresh token refused as already used may have been spent by a process whose lock
# this one could not see (replicas each lock on their own host while Redis is down): the
# tokens it got reach the database within a refresh's time, and are taken instead.
RACED_CODES = frozenset({"refresh_token_reused"})
RACE_WAIT_SECONDS = 5.0
RACE_POLL_SECONDS = 0.2
# Facts a setup may find that have a column of their own (Kiro's plan); the rest go to `extra`.
SETUP_COLUMNS = ("plan",)


def setup_facts(result: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A setup's result as (column values, extra)."""
    columns = {name: result[name] for name in SETUP_COLUMNS if name in result}
    return columns, {name: value for name, value in result.items() if name not in columns}


def due(account: Account, now: float | None = None) -> bool:
    """Whether the access token should be refreshed before it is used."""
    now = time.time() if now is None else now
    if account.expires_at is not None:
        return account.expires_at - now < MARGIN
    return now - (account.refreshed_at or account.created_at) > STALE_AFTER


def expired(account: Account, now: float | None = None) -> bool:
    now = time.time() if now is None else now
    return account.expires_at is not None and account.expires_at <= now


def _needs(account: Account, failed: str | None) -> bool:
    """After a 401 with `failed`: only if that token is still the stored one."""
    return account.access_token == failed if failed is not None else due(account)


class TokenKeeper:
    def __init__(
        self,
        store: CredentialStore,
        settings: Settings,
        client: httpx.AsyncClient | None = None,
        on_refresh: Callable[[str, str], None] | None = None,
        on_usage: Callable[[str, list[UsageWindow]], None] | None = None,
        locks: Locks | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        # Told (account label, "ok" | "failed" | "refused") as each refresh ends: the metrics.
        self.on_refresh = on_refresh
        # Told (upstream name, windows) as a kind's usage endpoint answers (`usage_poll_seconds`).
        self.on_usage = on_usage
        self._usage_read: dict[int, float] = {}
        # The gateway's state's locks; a command run beside the replicas opens its own,
        # on their Redis when they share one (else the host's), and closes them.
        self._own_locks = locks is None
        self.locks: Locks = locks if locks is not None else open_locks(*_lock_place(settings))
        self._local = LocalLocks()
        self.windows: dict[int, tuple[float, list[UsageWindow]]] = {}
        self._cache: dict[int, Account] = {}
        # The OAuth servers' client, made at the first refresh: most gateways never refresh.
        self._client = client
        self._saved_windows: dict[int, float] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    async def ready(self, upstream: Upstream, client: httpx.AsyncClient) -> Account:
        """The upstream's account, token fresh and one-time setup done."""
        assert upstream.account_id is not None, f"{upstream.name} is not a subscription account"
        account = await self.fresh(upstream.account_id)
        runtime = upstream.spec.runtime
        if runtime is not None and runtime.usage_poll_seconds is not None:
            self._poll_usage(upstream, runtime, client, account)
        if runtime is None or SETUP_AT in account.extra or type(runtime).setup is AccountRuntime.setup:
            return account
        if INELIGIBLE in account.extra:
            raise Ineligible(str(account.extra[INELIGIBLE]))
        return await self._setup(account.id, runtime, client, upstream.base_url)

    async def fresh(self, account_id: int) -> Account:
        """The account with a token good for at least MARGIN seconds."""
        account = self._cache.get(account_id) or await self._load(account_id)
        return await self.refresh(account_id) if due(account) else account

    async def recover(self, account_id: int, failed_token: str | None) -> Account:
        """After the upstream refused `failed_token`: a newer token, refreshed if need be."""
        return await self.refresh(account_id, failed=failed_token or "")

    async def refresh(self, account_id: int, *, force: bool = False, failed: str | None = None) -> Account:
        """Refresh unless someone did already (`force`: refresh anyway)."""
        return await finish(self._refresh(account_id, force, failed))

    async def _refresh(self, account_id: int, force: bool, failed: str | None) -> Account:
        async with self._local.local(_lock_name(account_id)):
            cached = self._cache.get(account_id)
            if cached is not None and not force and not _needs(cached, failed):
                return cached
            try:
                async with self.locks.hold(_lock_name(account_id)) as lease:
                    stored = await self._load(account_id)
                    if force or _needs(stored, failed):
                        # Asked for a refresh (`force`) or refused, a failure is the answer.
                        stored = await self._renew(stored, lease, usable=failed is None and not force)
            except LockTimeout as error:
                raise UpstreamTimeout(f"the login of account {account_id} is locked: {error}") from None
            self._cache[account_id] = stored
            return stored

    async def refresh_each(self, accounts: list[Account]) -> list[dict[str, Any]]:
        """Refresh every account now, one after another; what happened to each."""
        outcomes = []
        for account in accounts:
            try:
                fresh = await self.refresh(account.id, force=True)
            except GatewayError as error:
                outcomes.append({"label": account.label, "ok": False, "error": error.message})
                continue
            outcomes.append({"label": account.label, "ok": True, "expires_at": fresh.expires_at})
        return outcomes

    def _poll_usage(
        self, upstream: Upstream, runtime: AccountRuntime, client: httpx.AsyncClient, account: Account
    ) -> None:
        """Read the account's usage endpoint in the background, at most every
        `usage_poll_seconds`: never on the request's path."""
        now = time.time()
        if now - self._usage_read.get(account.id, 0.0) < (runtime.usage_poll_seconds or 0.0):
            return
        self._usage_read[account.id] = now
        self._spawn(self._read_usage(upstream, runtime, client, account))

    async def _read_usage(
        self, upstream: Upstream, runtime: AccountRuntime, client: httpx.AsyncClient, account: Account
    ) -> None:
        try:
            windows = await runtime.usage(account, client, upstream.base_url)
        except Exception as error:  # bookkeeping only: never a request's failure
            log.debug("the usage of %s could not be read: %s", upstream.name, error)
            return
        if windows:
            self.windows[account.id] = (time.time(), windows)
            if self.on_usage is not None:
                self.on_usage(upstream.name, windows)

    def forget(self, account_id: int) -> None:
        self._cache.pop(account_id, None)

    def observe(self, upstream: Upstream, headers: Mapping[str, str]) -> None:
        """Note the usage windows a response's headers carry (written now and then)."""
        runtime, account_id = upstream.spec.runtime, upstream.account_id
        windows = runtime.rate_limits(headers) if runtime is not None and account_id is not None else None
        if not windows or account_id is None:
            return
        now = time.time()
        self.windows[account_id] = (now, windows)
        if now - self._saved_windows.get(account_id, 0.0) >= USAGE_SAVE_SECONDS:
            self._saved_windows[account_id] = now
            self._spawn(self._save_usage(account_id, {"seen_at": now, "windows": windows}))

    async def aclose(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await settle()  # refreshes and setups whose requests left
        if self._own_locks:
            await close_locks(self.locks)
        if self._client is not None:
            await self._client.aclose()

    async def _load(self, account_id: int) -> Account:
        try:
            account = await self.store.get(account_id)
        except SecretKeyError as error:  # a lost or wrong key: this account fails, the others serve
            log.warning("%s", error)
            raise UpstreamError(f"the stored login of account {account_id} cannot be read: {error}") from None
        if account is None:
            self._cache.pop(account_id, None)
            raise UpstreamError(f"account {account_id} was removed (logged out) while in use")
        self._cache[account_id] = account
        return account

    async def _renew(self, account: Account, lease: Lease, *, usable: bool) -> Account:
        """Refresh `account` (the lock held). `usable`: its token has not been refused,
        so a transient failure may leave it in use until it expires."""
        # Numbered before the refresh token is spent: a lock lost by now spends nothing.
        fence = await lease.fence_above(fence_of(account))
        if not fence:
            raise UpstreamTimeout(f"the refresh lock of {account.label} was lost before its refresh")
        try:
            spec = subscription_spec(account.provider)
            answer = await self._refreshed(spec, account)
        except ConfigError as error:
            raise UpstreamError(str(error)) from None
        except tokens.OAuthError as error:
            return await self._refresh_failed(account, error, usable=usable)
        log.info("%s: token refreshed", account.label)
        self._noted(account, "ok")
        try:
            return await self.store.save_tokens(account.id, tokens.token_facts(spec, answer), {}, fence)
        except StaleFence:
            log.warning("%s: a later refresh wrote newer tokens; this one's are dropped", account.label)
            return await self._load(account.id)
        except AccountGone:
            raise UpstreamError(f"account {account.label} was removed (logged out) while in use") from None

    async def _refresh_failed(self, account: Account, error: tokens.OAuthError, *, usable: bool) -> Account:
        """The account to go on with after a refused or failed refresh, or the error."""
        if error.code in RACED_CODES:
            rotated = await self._rotated_meanwhile(account)
            if rotated is not None:
                log.warning("%s: another process spent its refresh token; using its tokens", account.label)
                return rotated
        self._noted(account, "refused" if error.permanent else "failed")
        account = await self._note_failure(account, error)
        if error.permanent:
            raise AuthenticationFailed(_relogin(account, error.message)) from None
        if usable and not expired(account):
            log.warning("%s: token refresh failed, using the current token: %s", account.label, error)
            return account
        raise UpstreamError(f"the login of {account.label} could not be refreshed: {error.message}") from None

    async def _rotated_meanwhile(self, account: Account) -> Account | None:
        """The stored login once another process has written tokens newer than
        `account`'s (waited for up to RACE_WAIT_SECONDS), else None."""
        deadline = time.monotonic() + RACE_WAIT_SECONDS
        while True:
            stored = await self._load(account.id)
            if stored.refresh_token != account.refresh_token:
                return stored
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(RACE_POLL_SECONDS)

    async def _refreshed(self, spec: ProviderSpec, account: Account) -> dict[str, Any]:
        """The token response of the account's refresh: its kind's own, else OAuth's."""
        oauth = oauth_for(spec, self.settings)
        if spec.runtime is not None:
            own = await spec.runtime.refresh(self._oauth_client(), oauth, account)
            if own is not None:
                return own
        if not account.refresh_token:
            raise AuthenticationFailed(_relogin(account, "it has no refresh token"))
        return await tokens.refresh(self._oauth_client(), oauth, account.refresh_token)

    def _noted(self, account: Account, outcome: str) -> None:
        if self.on_refresh is not None:
            self.on_refresh(account.label, outcome)

    def _oauth_client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = tokens.new_client(self.settings.proxy)
        return self._client

    async def _setup(
        self, account_id: int, runtime: AccountRuntime, client: httpx.AsyncClient, base_url: str
    ) -> Account:
        # Finished even if the request leaves: onboarding may create the project.
        return await finish(self._set_up(account_id, runtime, client, base_url))

    async def _set_up(
        self, account_id: int, runtime: AccountRuntime, client: httpx.AsyncClient, base_url: str
    ) -> Account:
        async with self.locks.hold(_lock_name(account_id)):
            account = await self._load(account_id)
            if SETUP_AT in account.extra:
                return account
            try:
                result = await runtime.setup(account, client, base_url)
            except Ineligible as refused:
                self._cache[account_id] = await self.store.merge_extra(
                    account_id, {INELIGIBLE: refused.message}
                )
                raise
            columns, extra = setup_facts(result)
            account = await self.store.merge_extra(
                account_id, {**extra, SETUP_AT: time.time()}, values=columns
            )
            self._cache[account_id] = account
            return account

    async def _note_failure(self, account: Account, error: tokens.OAuthError) -> Account:
        """The failure's reason on the row, for `dragoman status`, until a refresh or
        login succeeds (written once per reason: a down server fails every request)."""
        key = AUTH_ERROR if error.permanent else REFRESH_ERROR
        if account.extra.get(key) == error.message:
            return account
        with contextlib.suppress(AccountGone):
            return await self.store.merge_extra(account.id, {key: error.message})
        return account

    async def _save_usage(self, account_id: int, usage: dict[str, Any]) -> None:
        try:
            await self.store.merge_extra(account_id, {"usage": usage})
        except Exception as error:  # bookkeeping only: never a request's failure
            log.debug("the usage of account %s could not be saved: %s", account_id, error)

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _lock_place(settings: Settings) -> tuple[Path, str | None, str]:
    return settings.home, settings.redis_url, settings.redis_prefix or REDIS_PREFIX


def _lock_name(account_id: int) -> str:
    """The account's lock (on one host, `<home>/locks/account-<id>.lock`, as before)."""
    return f"account-{account_id}"


def _relogin(account: Account, reason: str) -> str:
    return (
        f"the {account.provider} login {account.label} needs a new login ({reason}): "
        f"run `dragoman login --provider {account.provider}`"
    )
