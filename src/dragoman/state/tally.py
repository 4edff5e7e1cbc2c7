"""Counting over periods: where an amount lands, what a period holds, when room frees up.

A counter is BUCKETS cells, each an (id, amount) pair, in whatever storage the backend
keeps them (lists here, a shared memory map on one host, a hash on Redis):

- a calendar period (day, week, month in a time zone) uses cell 0, its id the period's
  start: a new period finds the old id there and starts from zero;
- a rolling window of S seconds cuts time into buckets of S / BUCKETS seconds, bucket b
  in cell b % BUCKETS: what was counted leaves the window between S - S/BUCKETS and S
  seconds later (rate limits per minute are exact to the second).

Ids are positive, so the zeros of fresh storage read as empty cells.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import compress
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from dragoman.state.records import Ask, Period, PeriodUnit, Refused, Reservation

BUCKETS = 60
# Float sums drift by a few ulps; a reservation that fits exactly must not be refused.
SLACK = 1e-9

T = TypeVar("T")


class Cells(Protocol[T]):
    """Indexable, assignable, iterable storage: a list, an array, a memoryview."""

    def __iter__(self) -> Iterator[T]: ...

    def __getitem__(self, index: int, /) -> T: ...

    def __setitem__(self, index: int, value: T, /) -> None: ...


# A counter's cells by its key and period, made when first asked for.
CellsOf = Callable[[str, Period], tuple[Cells[int], Cells[float]]]


@dataclass(frozen=True, slots=True)
class Span:
    """Where `now` falls in a period: the bucket counted into, the oldest bucket still
    counted, and when this span began and ends (the bucket's, or the calendar period's)."""

    bucket: int
    oldest: int
    begins: float
    ends: float
    width: float  # seconds per bucket of a rolling window; 0 for a calendar period

    @property
    def slot(self) -> int:
        return self.bucket % BUCKETS if self.width else 0


class Spans:
    """The current span of each period, computed again only when `now` leaves it (time
    zones cost microseconds)."""

    def __init__(self) -> None:
        self._current: dict[Period, Span] = {}

    def at(self, period: Period, now: float) -> Span:
        span = self._current.get(period)
        if span is not None and span.begins <= now < span.ends:
            return span
        span = self._current[period] = _span(period, now)
        return span


def _span(period: Period, now: float) -> Span:
    if period.unit is None:
        width = period.seconds / BUCKETS
        bucket = int(now // width)
        return Span(bucket, bucket - BUCKETS + 1, bucket * width, (bucket + 1) * width, width)
    start, end = calendar_span(period.unit, period.zone, now)
    return Span(int(start), int(start), start, end, 0.0)


def calendar_span(unit: PeriodUnit, zone: str, now: float) -> tuple[float, float]:
    """The start and end (epoch seconds) of the day, week (Monday first) or month around
    `now`, on the wall clock of `zone`."""
    local = datetime.fromtimestamp(now, ZoneInfo(zone))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        end = start + timedelta(days=1)
    elif unit == "week":
        start -= timedelta(days=start.weekday())
        end = start + timedelta(days=7)
    else:
        start = start.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    return start.timestamp(), end.timestamp()


def slot_of(period: Period, bucket: int) -> int:
    """The cell a bucket of `period` is counted in."""
    return 0 if period.unit else bucket % BUCKETS


def total(ids: Cells[int], amounts: Cells[float], span: Span) -> float:
    """What the period holds at `span`."""
    if not span.width:
        return amounts[0] if ids[0] == span.bucket else 0.0
    # The cells still in the window, picked and summed without a Python loop.
    return float(sum(compress(amounts, map(span.oldest.__le__, ids))))


def take(ids: Cells[int], amounts: Cells[float], span: Span, amount: float, limit: float) -> float | None:
    """Count `amount` if it fits under `limit`: None when it did, else what is held."""
    held = total(ids, amounts, span)
    if held + amount > limit + SLACK:
        return held
    slot = span.slot
    if ids[slot] != span.bucket:
        ids[slot] = span.bucket
        amounts[slot] = 0.0
    amounts[slot] += amount
    return None


def take_all(
    asks: Sequence[Ask], now: float, spans: Spans, cells: CellsOf, ids: Iterator[int]
) -> list[Reservation] | Refused:
    """Count every ask, or none (`Counters.reserve_all`, under the backend's lock):
    the reservations, numbered from `ids`, else the first that does not fit, with
    those already counted taken back."""
    taken: list[Reservation] = []
    for ask in asks:
        span = spans.at(ask.period, now)
        counted, amounts = cells(ask.key, ask.period)
        held = take(counted, amounts, span, ask.amount, ask.limit)
        if held is not None:
            for back in taken:
                adjust(*cells(back.key, back.period), span_slot(back), back.bucket, -back.amount)
            return Refused(
                ask.key, held, ask.limit, frees_at(counted, amounts, span, held, ask.amount, ask.limit)
            )
        taken.append(Reservation(next(ids), ask.key, ask.period, ask.amount, span.bucket))
    return taken


def closing(open_: set[int], settled: Sequence[tuple[Reservation, float]]) -> list[tuple[Reservation, float]]:
    """What each still open reservation changes its counter by (none: settled to what it
    held), closing it: once each (`Counters.settle_all`)."""
    changes = []
    for reservation, actual in settled:
        if reservation.id in open_:
            open_.discard(reservation.id)
            if actual != reservation.amount:
                changes.append((reservation, actual - reservation.amount))
    return changes


def span_slot(reservation: Reservation) -> int:
    return slot_of(reservation.period, reservation.bucket)


def adjust(ids: Cells[int], amounts: Cells[float], slot: int, bucket: int, delta: float) -> None:
    """Add `delta` to the bucket a reservation went to, if the bucket is still counted."""
    if ids[slot] == bucket:
        amounts[slot] = max(0.0, amounts[slot] + delta)


def frees_at(
    ids: Cells[int], amounts: Cells[float], span: Span, held: float, amount: float, limit: float
) -> float:
    """When `amount` would fit, if nothing else is counted meanwhile."""
    if amount > limit + SLACK:
        return math.inf
    if not span.width:
        return span.ends
    buckets = sorted(
        (bucket, amount) for bucket, amount in zip(ids, amounts, strict=True) if bucket >= span.oldest
    )
    for bucket, counted in buckets:
        held -= counted
        if held + amount <= limit + SLACK:
            return (bucket + BUCKETS) * span.width
    return (span.bucket + BUCKETS) * span.width
