"""This replica's copy of the shared cooldowns, windows, bindings and last errors, kept
in step with Redis.

Requests read and write the in-memory tables only. Each change also lands in `pending`
(the last change per key wins) and wakes the writer task, which sends every pending
change in one pipeline: per key, a script that sets (or deletes) it only if Redis still
holds what this replica last saw there, and then PUBLISHes it on the changes channel.
When another replica wrote the key meanwhile, the script answers with what it holds;
the two are merged (`records.merge`: a quota wait is never shortened, the newer window
wins) and the merge is written in the next round. Every replica's subscriber applies the
others' messages, which carry the new value itself: no read follows a message.

`load` reads every record (SCAN + MGET): at start, and on each reconnect. When Redis
came back empty (restarted: it keeps nothing on disk), what this replica held is
written back to it, so the replicas between them rebuild it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import orjson

from dragoman.state.memory.tables import MemoryBindings, MemoryClientLogins, MemoryHealth, MemoryWindows
from dragoman.state.redis.link import DOWN, Link
from dragoman.state.redis.records import KINDS, Record, key_name, merge, parse_key

log = logging.getLogger("dragoman.state")

CHANNEL = "changes"
MGET_BATCH = 500

# KEYS: the record, the changes channel. ARGV: "1" to check, what we saw ("" none), the
# new value ("" to delete), its time to live in ms (0: none), the message.
SWAP = """
local current = redis.call('GET', KEYS[1]) or ''
if ARGV[1] == '1' and current ~= ARGV[2] then return {0, current} end
if ARGV[3] == '' then
  redis.call('DEL', KEYS[1])
elseif tonumber(ARGV[4]) > 0 then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[3])
end
redis.call('PUBLISH', KEYS[2], ARGV[5])
return {1}
"""

Change = tuple[str, tuple[str, ...], Record | None]  # table, key, the record or None: removed
Loader = Callable[[tuple[str, ...], Record | None], object]


class RedisMirror:
    def __init__(
        self,
        link: Link,
        health: MemoryHealth,
        windows: MemoryWindows,
        bindings: MemoryBindings,
        logins: MemoryClientLogins,
        clock: Callable[[], float],
    ) -> None:
        self.link = link
        self.channel = link.key(CHANNEL)
        self.pending: dict[str, Change] = {}
        self.known: dict[str, str] = {}  # key -> the value Redis held when we last heard
        self._held: dict[str, Change] = {}  # key -> that value decoded, to write back to an empty Redis
        self._clock = clock
        self._wake = asyncio.Event()
        self._swap = link.script(SWAP)
        self._loaders: dict[str, Loader] = {
            "cooldowns": health.load,
            "windows": windows.load,
            "bindings": bindings.load,
            "errors": health.load_error,
            "logins": logins.load,
        }
        logins.listener = self._noter("logins")
        health.listener = self._noter("cooldowns")
        health.error_listener = self._noter("errors")
        windows.listener = self._noter("windows")
        bindings.listener = self._noter("bindings")

    async def run(self) -> None:
        """Write pending changes as they come, until cancelled."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self.link.up:
                await self.flush()

    async def flush(self) -> None:
        """Send every pending change; keep them for later if Redis is gone."""
        while self.pending and self.link.up:
            batch, self.pending = self.pending, {}
            try:
                answers = await self._send(batch)
            except DOWN as error:
                self.pending = {**batch, **self.pending}
                self.link.down(error)
                return
            for (key, change), answer in zip(batch.items(), answers, strict=True):
                self._settled(key, change, answer)

    def receive(self, message: str) -> None:
        """A change another replica made (ours come back too, and are skipped)."""
        origin, key, value = orjson.loads(message)
        if origin != self.link.origin:
            self._learned(key, value)

    async def load(self, emptied: bool) -> None:
        """Read every record from Redis; `emptied`: Redis lost what it held, so what we
        hold is written back rather than forgotten."""
        client = self.link.client
        keys = [key async for key in client.scan_iter(match=self.link.pattern("rec:"), count=1000)]
        found: dict[str, str] = {}
        for first in range(0, len(keys), MGET_BATCH):
            chunk = keys[first : first + MGET_BATCH]
            found.update((k, str(v)) for k, v in zip(chunk, await client.mget(chunk), strict=True) if v)
        for key in [key for key in self.known if key not in found]:
            if emptied and key not in self.pending:
                self.pending[key] = self._held[key]
                self.known.pop(key)
            else:
                self._learned(key, None)
        for key, value in found.items():
            if self.known.get(key) != value:
                self._learned(key, value)

    def _learned(self, key: str, value: str | None) -> None:
        table, parts = parse_key(key[len(self.link.prefix) :])
        kind = KINDS.get(table)
        if kind is None:
            return
        record = kind.decode(value) if value else None
        self._remember(key, value, (table, parts, record))
        if key not in self.pending:  # ours is newer: its write will merge with this
            self._loaders[table](parts, record)

    def _remember(self, key: str, value: str | None, change: Change) -> None:
        if value:
            self.known[key], self._held[key] = value, change
        else:
            self.known.pop(key, None)
            self._held.pop(key, None)

    async def _send(self, batch: dict[str, Change]) -> list[Any]:
        pipe = self.link.client.pipeline(transaction=False)
        now = self._clock()
        for key, (table, _, record) in batch.items():
            kind = KINDS[table]
            value = kind.encode(record) if record is not None else ""
            ttl = kind.ttl_ms(record, now) if record is not None else 0
            check = "0" if table == "bindings" else "1"
            message = orjson.dumps([self.link.origin, key, value or None]).decode()
            args: list[str | int] = [check, self.known.get(key, ""), value, ttl, message]
            self.link.queue(pipe, self._swap, [key, self.channel], args)
        return list(await self.link.shielded(pipe.execute()))

    def _settled(self, key: str, change: Change, answer: list[Any]) -> None:
        table, parts, record = change
        if answer[0] == 1:
            value = KINDS[table].encode(record) if record is not None else None
            self._remember(key, value, change)
            return
        stored_value = answer[1] or None
        stored = KINDS[table].decode(stored_value) if stored_value else None
        self._remember(key, stored_value, (table, parts, stored))
        if key in self.pending:
            return  # a newer change of ours is already on its way
        merged = merge(table, stored, record, self._clock())
        self._loaders[table](parts, merged)
        if merged != stored:
            self.pending[key] = (table, parts, merged)

    def _noter(self, table: str) -> Callable[[tuple[str, ...], Record | None], None]:
        prefix, wake = self.link.prefix, self._wake

        def note(parts: tuple[str, ...], record: Record | None) -> None:
            self.pending[prefix + key_name(table, parts)] = (table, parts, record)
            wake.set()

        return note
