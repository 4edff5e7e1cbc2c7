"""In-flight slots and counters in this process alone: one event loop makes each
check-and-change atomic, since none of them awaits in between."""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Callable, Sequence

from dragoman.state import tally
from dragoman.state.records import Ask, Period, Refused, Reservation

Clock = Callable[[], float]


class MemoryInFlight:
    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def count(self, account: str) -> int:
        return self._counts.get(account, 0)

    async def acquire(self, account: str, limit: int | None) -> bool:
        held = self._counts.get(account, 0)
        if limit is not None and held >= limit:
            return False
        self._counts[account] = held + 1
        return True

    def release(self, account: str) -> None:
        held = self._counts.get(account, 0)
        if held > 1:
            self._counts[account] = held - 1
        else:
            self._counts.pop(account, None)


class MemoryCounters:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._spans = tally.Spans()
        self._cells: dict[tuple[str, Period], tuple[array[int], array[float]]] = {}
        self._open: set[int] = set()
        self._ids = itertools.count(1)

    async def reserve(self, key: str, amount: float, limit: float, period: Period) -> Reservation | Refused:
        ids, amounts = self._counter(key, period)
        span = self._spans.at(period, self._clock())
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
        ids, amounts = self._counter(key, period)
        return tally.total(ids, amounts, self._spans.at(period, self._clock()))

    async def reserve_all(self, asks: Sequence[Ask]) -> list[Reservation] | Refused:
        found = tally.take_all(asks, self._clock(), self._spans, self._counter, self._ids)
        if not isinstance(found, Refused):
            self._open.update([reservation.id for reservation in found])
        return found

    async def settle_all(self, settled: Sequence[tuple[Reservation, float]]) -> None:
        for reservation, delta in tally.closing(self._open, settled):
            ids, amounts = self._counter(reservation.key, reservation.period)
            tally.adjust(ids, amounts, tally.span_slot(reservation), reservation.bucket, delta)

    def _close(self, reservation: Reservation, delta: float) -> None:
        if reservation.id not in self._open:
            return
        self._open.discard(reservation.id)
        if not delta:  # settled to what it held (a request count): nothing to change
            return
        ids, amounts = self._counter(reservation.key, reservation.period)
        slot = tally.slot_of(reservation.period, reservation.bucket)
        tally.adjust(ids, amounts, slot, reservation.bucket, delta)

    def _counter(self, key: str, period: Period) -> tuple[array[int], array[float]]:
        cells = self._cells.get((key, period))
        if cells is None:
            cells = self._cells[key, period] = (
                array("q", bytes(8 * tally.BUCKETS)),
                array("d", bytes(8 * tally.BUCKETS)),
            )
        return cells
