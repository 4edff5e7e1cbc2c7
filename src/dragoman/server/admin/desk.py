"""What the admin API does, apart from HTTP: the same calls serve a running gateway's
routes and `dragoman accounts` working offline on the home folder.

    desk = AccountDesk(registry, state, overrides, save)
    desk.listing()                       every account (server.admin.view)
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
from dragoman.server.admin.view import describe
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
    ) -> None:
        self.registry = registry
        self.state = state
        self.overrides = overrides
        self.save = save
        self.clock = clock

    def listing(self) -> list[dict[str, Any]]:
        now = self.clock()
        return [self._view(upstream, now) for upstream in self.registry.upstreams]

    def one(self, label: str) -> dict[str, Any]:
        return self._view(self._upstream(label), self.clock())

    async def change(self, label: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Apply pool policy `changes` (field -> value) to the account, kept for good."""
        upstream = self._upstream(label)
        self.overrides = await self.save(label, changes)
        return self._view(upstream, self.clock())

    async def reset(self, label: str) -> dict[str, Any]:
        """Clear the account's cooldowns (unhealthy too) and its session bindings."""
        upstream = self._upstream(label)
        self.state.health.reset(label)
        self.state.bindings.drop_account(label)
        return self._view(upstream, self.clock())

    def _upstream(self, label: str) -> Upstream:
        upstream = self.registry.upstream(label)
        if upstream is None:
            known = ", ".join(up.name for up in self.registry.upstreams) or "none"
            raise NotFound(f"no account {label!r} (accounts: {known})")
        return upstream

    def _view(self, upstream: Upstream, now: float) -> dict[str, Any]:
        override = self.overrides.get(upstream.name)
        policy = effective(upstream.name, upstream.policy, self.overrides)
        overridden = override.overridden if override is not None else ()
        return describe(upstream, policy, overridden, self.state, now)
