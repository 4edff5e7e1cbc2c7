"""When a conversation's account is too slow to keep it: first-byte times and strikes.

Each account's time to first byte is a running average (exponentially weighted) of this
process's requests. A request on a bound account is slow when its first byte came
later than `factor` times the median of the pool's other accounts and later than
`floor_seconds`; `strikes` slow requests in a row on one binding release it, and the
session's next choice tries that account last. Without another account's times to
compare with, nothing is slow: a pool of one has nowhere better to go.

Process-local on purpose: these are hints that only move sessions, and a worker that
has not seen a slow account yet learns it from its own next requests. The maps are
bounded (oldest entry out first), so abandoned sessions cannot grow them.
"""

from __future__ import annotations

from collections.abc import Iterable
from statistics import median
from typing import TypeVar

from dragoman.pools.settings import SlowBinding

BindingKey = tuple[str, str]  # (session, model)
K = TypeVar("K")
V = TypeVar("V")
LIMIT = 10_000


def bounded_put(table: dict[K, V], key: K, value: V, limit: int = LIMIT) -> None:
    """Set `key`, dropping the oldest entry when the table is full."""
    if key not in table and len(table) >= limit:
        del table[next(iter(table))]
    table[key] = value


class Latency:
    """Running average of time to first byte per account."""

    __slots__ = ("_average", "smoothing")

    def __init__(self, smoothing: float) -> None:
        self.smoothing = smoothing
        self._average: dict[str, float] = {}

    def record(self, account: str, seconds: float) -> None:
        prior = self._average.get(account)
        self._average[account] = seconds if prior is None else prior + self.smoothing * (seconds - prior)

    def of(self, account: str) -> float | None:
        return self._average.get(account)

    def baseline(self, accounts: Iterable[str], excluding: str) -> float | None:
        """The median average of the other accounts that have one."""
        found = [self._average[a] for a in accounts if a != excluding and a in self._average]
        return median(found) if found else None


class Slowness:
    """Slow strikes per binding, and the sessions just released from a slow account."""

    __slots__ = ("_strikes", "moved", "settings")

    def __init__(self, settings: SlowBinding) -> None:
        self.settings = settings
        self._strikes: dict[BindingKey, int] = {}
        self.moved: dict[BindingKey, str] = {}

    def might_be_slow(self, seconds: float) -> bool:
        """False settles it without a baseline: under the floor nothing is slow."""
        return seconds > self.settings.floor_seconds

    def slow(self, seconds: float, baseline: float | None) -> bool:
        if baseline is None or not self.might_be_slow(seconds):
            return False
        return seconds > self.settings.factor * baseline

    def strike(self, key: BindingKey, account: str) -> bool:
        """Count one slow request; True when the binding has had enough and is released
        (the session's next choice then tries `account` last)."""
        strikes = self._strikes.get(key, 0) + 1
        if strikes < self.settings.strikes:
            bounded_put(self._strikes, key, strikes)
            return False
        self._strikes.pop(key, None)
        bounded_put(self.moved, key, account)
        return True

    def clear(self, key: BindingKey) -> None:
        """A request in time: strikes count only in a row."""
        if self._strikes:
            self._strikes.pop(key, None)
