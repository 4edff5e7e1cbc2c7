"""Rate and budget counters shared by the processes of one host: `<home>/state/counters.bin`.

Each counter (a key and its period) is one 1 KiB entry: its name's digest, then the
BUCKETS cells of `dragoman.state.tally` (ids, then amounts). Reserve, settle and
release each run under the file's lock, so N processes reserving at once never
overshoot a limit. The file is the store: what it counts survives a restart (the
kernel writes the pages back; `stop` flushes them). A reservation held by a process
that dies is never settled: it stays counted, the safe side for a budget.

    header 64 B | entries: 4096 x (digest 16 B, pad, ids int64[60], amounts float64[60])
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path

from dragoman.state import tally
from dragoman.state.host.region import Region
from dragoman.state.records import Ask, Period, Refused, Reservation

ENTRIES = 4096
ENTRY = 1024
MAGIC = b"DRGCNTR1"
HEADER = 64
IDS = 64  # offsets within an entry
AMOUNTS = IDS + 8 * tally.BUCKETS
SIZE = HEADER + ENTRIES * ENTRY

Views = tuple["memoryview[int]", "memoryview[float]"]


class HostCounters:
    def __init__(self, path: Path, clock: Callable[[], float]) -> None:
        self._region = Region(path, SIZE, MAGIC)
        self._clock = clock
        self._spans = tally.Spans()
        self._ints = memoryview(self._region.map).cast("q")
        self._floats = memoryview(self._region.map).cast("d")
        self._views: dict[tuple[str, Period], Views] = {}
        self._open: set[int] = set()
        self._ids = itertools.count(1)

    async def reserve(self, key: str, amount: float, limit: float, period: Period) -> Reservation | Refused:
        span = self._spans.at(period, self._clock())
        with self._region.locked():
            ids, amounts = self._cells(key, period)
            held = tally.take(ids, amounts, span, amount, limit)
            if held is not None:
                return Refused(key, held, limit, tally.frees_at(ids, amounts, span, held, amount, limit))
        reservation = Reservation(next(self._ids), key, period, amount, span.bucket)
        self._open.add(reservation.id)
        return reservation

    async def settle(self, reservation: Reservation, actual: float) -> None:
        self._close(reservation, actual - reservation.amount)

    async def release(self, reservation: Reservation) -> None:
        self._close(reservation, -reservation.amount)

    async def used(self, key: str, period: Period) -> float:
        span = self._spans.at(period, self._clock())
        with self._region.locked():
            ids, amounts = self._cells(key, period)
            return tally.total(ids, amounts, span)

    async def reserve_all(self, asks: Sequence[Ask]) -> list[Reservation] | Refused:
        now = self._clock()
        with self._region.locked():
            found = tally.take_all(asks, now, self._spans, self._cells, self._ids)
        if not isinstance(found, Refused):
            self._open.update([reservation.id for reservation in found])
        return found

    async def settle_all(self, settled: Sequence[tuple[Reservation, float]]) -> None:
        changes = tally.closing(self._open, settled)
        if changes:
            with self._region.locked():
                for reservation, delta in changes:
                    ids, amounts = self._cells(reservation.key, reservation.period)
                    tally.adjust(ids, amounts, tally.span_slot(reservation), reservation.bucket, delta)

    def flush(self) -> None:
        self._region.map.flush()

    def close(self) -> None:
        self.flush()
        for ids, amounts in self._views.values():
            ids.release()
            amounts.release()
        self._views.clear()
        self._ints.release()
        self._floats.release()
        self._region.close()

    def _close(self, reservation: Reservation, delta: float) -> None:
        if reservation.id not in self._open:
            return
        self._open.discard(reservation.id)
        if not delta:  # settled to what it held (a request count): nothing to change
            return
        slot = tally.slot_of(reservation.period, reservation.bucket)
        with self._region.locked():
            ids, amounts = self._cells(reservation.key, reservation.period)
            tally.adjust(ids, amounts, slot, reservation.bucket, delta)

    def _cells(self, key: str, period: Period) -> Views:
        """The counter's cells (under the lock: it may take a new entry)."""
        views = self._views.get((key, period))
        if views is None:
            entry = self._region.find(f"{key}\x00{period.token}", HEADER, ENTRIES, True, ENTRY)
            assert entry is not None
            start = HEADER + ENTRY * entry
            ids = self._ints[(start + IDS) // 8 : (start + IDS) // 8 + tally.BUCKETS]
            amounts = self._floats[(start + AMOUNTS) // 8 : (start + AMOUNTS) // 8 + tally.BUCKETS]
            views = self._views[key, period] = (ids, amounts)
        return views
