"""What the admin API does, apart from HTTP: the same calls serve a running gateway's
routes and `dragoman accounts` working offline on the home folder.

    desk = AccountDesk(registry, state, overrides, save)
    desk.listing()                       every account, served or not (server.admin.view);
                                         an `auth = "client"` one with its `client_logins`
    desk.one("work")                     one, or NotFound
    await desk.change("work", {"priority": 2})    stored through `save`, then shown
    await desk.reset("work")             cooldowns, unhealthy and bindings cleared

`save(label, changes)` keeps a policy change where every worker and restart reads it
(the `account_policies` table) and returns the overrides now in force; the gateway's
also starts serving by them at once.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from dragoman.ir.errors import NotFound
from dragoman.providers.upstream import Upstream
from dragoman.routing.registry import Registry
from dragoman.routing.unserved import Unserved
from dragoman.server.admin.view import describe, describe_unserved
from dragoman.server.client_logins import ClientLogins
from dragoman.state import State
from dragoman.store.policies import PolicyOverride, effective

Saver = Callable[[str, Mapping[str, Any]], Awaitable[Mapping[str, PolicyOverride]]]


class AccountDesk:
    def __init__(
        self,
        registry: Registry,
        state: State,
        overrides: Mapping[str, PolicyOverride],
        save: Saver,
        clock: Callable[[], float] = time.time,
        logins: ClientLogins | None = None,
    ) -> None:
        # The windows of the logins clients bring to `auth = "client"` accounts (gateway only).
        self.logins = logins
        self.registry = registry
        self.state = state
        self.overrides = overrides
        self.save = save
        self.clock = clock

    def listing(self) -> list[dict[str, Any]]:
        """Every account: those served, then those known but not (with why)."""
        now = self.clock()
        return [self._view(account, now) for account in self._accounts()]

    def one(self, label: str) -> dict[str, Any]:
        return self._view(self._account(label), self.clock())

    async def change(self, label: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Apply pool policy `changes` (field -> value) to the account, kept for good."""
        account = self._account(label)
        self.overrides = await self.save(label, changes)
        return self._view(account, self.clock())

    async def reset(self, label: str) -> dict[str, Any]:
        """Clear the account's cooldowns (unhealthy too) and its session bindings."""
        account = self._account(label)
        self.state.health.reset(label)
        self.state.bindings.drop_account(label)
        return self._view(account, self.clock())

    def _accounts(self) -> list[Upstream | Unserved]:
        return [*self.registry.upstreams, *self.registry.unserved]

    def _account(self, label: str) -> Upstream | Unserved:
        """The account under `label`, served or not; NotFound naming them all."""
        served = self.registry.upstream(label)
        if served is not None:
            return served
        for account in self.registry.unserved:
            if account.name == label:
                return account
        known = ", ".join(account.name for account in self._accounts()) or "none"
        raise NotFound(f"no account {label!r} (accounts: {known})")

    def _view(self, account: Upstream | Unserved, now: float) -> dict[str, Any]:
        override = self.overrides.get(account.name)
        policy = effective(account.name, account.policy, self.overrides)
        overridden = override.overridden if override is not None else ()
        if isinstance(account, Upstream):
            shown = describe(account, policy, overridden, self.state, now)
            if account.client_auth and self.logins is not None:
                shown["client_logins"] = self.logins.rows(account.name)
            return shown
        return describe_unserved(account, policy, overridden, self.state, now)
