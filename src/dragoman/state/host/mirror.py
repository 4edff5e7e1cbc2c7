"""This process's copy of the shared cooldowns, windows, bindings and last errors, kept in step with
the journal by one background task.

Requests read and write the in-memory tables only. Each change also lands in
`pending` (the last change per key wins); the task writes the pending changes and
reads the other processes' in one trip off the event loop: at once after a cooldown
changes, else every INTERVAL. A change from elsewhere never overwrites a change of
ours still pending (ours is newer, and is about to be written).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable

from dragoman.state.host.journal import Change, Journal, Record
from dragoman.state.memory.tables import MemoryBindings, MemoryClientLogins, MemoryHealth, MemoryWindows

log = logging.getLogger("dragoman.state")

INTERVAL = 0.2

Loader = Callable[[tuple[str, ...], Record | None], object]


class Mirror:
    def __init__(
        self,
        journal: Journal,
        health: MemoryHealth,
        windows: MemoryWindows,
        bindings: MemoryBindings,
        logins: MemoryClientLogins,
    ) -> None:
        self.journal = journal
        self.pending: dict[tuple[str, tuple[str, ...]], Record | None] = {}
        self._wake = asyncio.Event()
        self._loaders: dict[str, Loader] = {
            "cooldowns": health.load,
            "windows": windows.load,
            "bindings": bindings.load,
            "errors": health.load_error,
            "logins": logins.load,
        }
        logins.listener = self._noter("logins", urgent=False)
        health.listener = self._noter("cooldowns", urgent=True)
        health.error_listener = self._noter("errors", urgent=False)
        windows.listener = self._noter("windows", urgent=False)
        bindings.listener = self._noter("bindings", urgent=False)
        self._apply(journal.load())

    async def run(self) -> None:
        """Exchange changes with the other processes until cancelled."""
        loop = asyncio.get_running_loop()
        while True:
            # Not asyncio.wait_for: on 3.11 it can swallow the cancellation that stops us.
            timer = loop.call_later(INTERVAL, self._wake.set)
            try:
                await self._wake.wait()
            finally:
                timer.cancel()
            self._wake.clear()
            try:
                await self.exchange()
            except Exception:  # a bug must not end the sharing for good
                log.exception("runtime state: sharing changes failed")

    async def exchange(self) -> None:
        changes, self.pending = self.pending, {}
        batch = [(table, key, record) for (table, key), record in changes.items()]
        try:
            learned = await asyncio.to_thread(self.journal.exchange, batch)
        except sqlite3.Error as error:
            log.warning("runtime state: could not share changes (%s); retrying", error)
            self.pending = {**changes, **self.pending}
            return
        self._apply(learned)

    def close(self) -> None:
        """Write what is pending, synchronously (the loop is stopping), and close."""
        batch = [(table, key, record) for (table, key), record in self.pending.items()]
        self.pending = {}
        try:
            self.journal.exchange(batch)
        finally:
            self.journal.close()

    def _apply(self, changes: list[Change]) -> None:
        for table, key, record in changes:
            if (table, key) not in self.pending:
                self._loaders[table](key, record)

    def _noter(self, table: str, urgent: bool) -> Callable[[tuple[str, ...], Record | None], None]:
        wake = self._wake

        def note(key: tuple[str, ...], record: Record | None) -> None:
            self.pending[table, key] = record
            if urgent:
                wake.set()

        return note
