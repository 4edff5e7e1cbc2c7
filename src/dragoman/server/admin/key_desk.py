"""What the keys' admin API does, apart from HTTP: the same calls serve a running
gateway's routes (`server.admin.keys`) and `dragoman keys` working offline.

    desk = KeyDesk(store_of, zone, counters, changed)
    await desk.listing()                          every key, the revoked too
    await desk.one("alice")                       one, or NotFound
    await desk.create("alice", options)           the key and its secret, shown once
    await desk.update("alice", {"rpm": 60})       options laid over its own (None unsets)
    await desk.revoke("alice")                    refused from now on
    await desk.rotate("alice")                    a new secret, the old one refused

`store_of(writes)` opens the keys table (created when `writes`; None when there is
none yet to read); `changed()` is called after each change (the gateway serves by
it at once). With `counters`, each limit shows what its current period has used.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from dragoman.ir.errors import GatewayError, InvalidRequest, NotFound
from dragoman.policy import quantities
from dragoman.policy.key_options import KeyOptions, changed, options_of
from dragoman.policy.keys import Limit
from dragoman.server.admin.patch import Unprocessable
from dragoman.state.protocols import Counters
from dragoman.store.local_keys import NAME_PATTERN, StoredKey

if TYPE_CHECKING:
    from dragoman.store.key_store import KeyStore

StoreOf = Callable[[bool], Awaitable["KeyStore | None"]]
_NAME = re.compile(NAME_PATTERN)


class Conflict(GatewayError):
    status = 409
    code = "conflict"


class KeyDesk:
    def __init__(
        self,
        store_of: StoreOf,
        zone: str,
        counters: Counters | None = None,
        changed: Callable[[], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store_of, self.zone, self.counters = store_of, zone, counters
        self.changed, self.clock = changed, clock

    async def listing(self) -> list[dict[str, Any]]:
        store = await self.store_of(False)
        keys = await store.all() if store is not None else []
        return [await self._view(key) for key in keys]

    async def one(self, name: str) -> dict[str, Any]:
        store = await self.store_of(False)
        key = await store.one(name) if store is not None else None
        if key is None:
            raise NotFound(_unknown(name))
        return await self._view(key)

    async def create(self, name: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """A new key with these options (JSON values, checked here); its secret shown."""
        if not _NAME.fullmatch(name) or (name.startswith("key") and name[3:].isdigit()):
            raise InvalidRequest(
                f"{name!r} is not a key name: letters, digits, '.', '_', '-' (up to 64), "
                "and not key1, key2, ... (the config's admin keys)"
            )
        options = options_from(values)
        store = await self._store()
        made = await store.create(name, options.given(), self._expiry(options.expires))
        if made is None:
            raise Conflict(f"a key named {name} exists: update, rotate or revoke it")
        return await self._done(*made)

    async def update(self, name: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        store = await self._store()
        unknown = [option for option in changes if option not in KeyOptions.model_fields]
        options_from(
            {option: value for option, value in changes.items() if value is not None or option in unknown}
        )
        held = await store.one(name)
        if held is None or held.revoked_at is not None:
            raise NotFound(_unknown(name))
        try:
            options = changed(held.options, changes)
        except ValueError as error:
            raise Unprocessable(str(error)) from None
        expires = self._expiry(options.expires) if "expires" in changes else held.expires_at
        found = await store.update(name, options.given(), expires)
        return await self._done(found)

    async def revoke(self, name: str) -> dict[str, Any]:
        return await self._done(await (await self._store()).revoke(name))

    async def rotate(self, name: str) -> dict[str, Any]:
        rotated = await (await self._store()).rotate(name)
        return await self._done(*(rotated or (None,)))

    async def _store(self) -> KeyStore:
        store = await self.store_of(True)
        assert store is not None  # a store opened to write is made if it must be
        return store

    def _expiry(self, text: str | None) -> float | None:
        return quantities.expiry(text, self.clock(), self.zone) if text is not None else None

    async def _done(self, key: StoredKey | None, secret: str | None = None) -> dict[str, Any]:
        if key is None:
            raise NotFound("no such key in use (revoked, or never made): see `dragoman keys list`")
        if self.changed is not None:
            await self.changed()
        shown = await self._view(key)
        return {**shown, "secret": secret} if secret is not None else shown

    async def _view(self, key: StoredKey) -> dict[str, Any]:
        local = key.local_key(self.zone)
        now = self.clock()
        state = "revoked" if key.revoked_at is not None else "expired" if local.expired(now) else "active"
        limits = [await self._limit(key.name, limit) for limit in local.limits]
        return {**key.shown(), "state": state, "limits": limits}

    async def _limit(self, name: str, limit: Limit) -> dict[str, Any]:
        used = None
        if self.counters is not None:
            used = await self.counters.used(f"key:{name}:{limit.name}", limit.period)
        return {
            "name": limit.name,
            "kind": limit.kind,
            "amount": limit.amount,
            "period": period_text(limit),
            "used": used,
        }


def period_text(limit: Limit) -> str:
    """`month (Europe/Paris)`, `rolling 5h`, ..."""
    period = limit.period
    if period.unit is not None:
        return f"{period.unit} ({period.zone})"
    seconds = period.seconds
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds % size == 0:
            return f"rolling {seconds / size:g}{unit}"
    return f"rolling {seconds:g}s"


def options_from(values: Mapping[str, Any]) -> KeyOptions:
    """Options from JSON values, InvalidRequest naming each bad one."""
    try:
        return options_of(values)
    except ValueError as error:
        raise Unprocessable(str(error)) from None


def _unknown(name: str) -> str:
    return f"no key named {name}: see `dragoman keys list`"
