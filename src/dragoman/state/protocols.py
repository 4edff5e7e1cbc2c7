"""One protocol per kind of runtime state; every backend implements all eight.

The rule that keeps the request path cheap, in every backend (Redis included): a read
that helps choose an account is a plain method answered from this process's memory;
a write is applied here at once and shared in the background; only a check-and-change
that must hold across processes (an in-flight slot, a reservation) is `async`, one
atomic step in the backend (a lock around a shared counter here, a Lua script on
Redis). Each method's docstring says what Redis would do for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from dragoman.state.records import (
    Ask,
    Binding,
    ClientLogin,
    Cooldown,
    CooldownKind,
    LastError,
    Period,
    Refused,
    Reservation,
    Window,
)

# A trace record on the live feed: JSON-able, a summary rather than bodies.
FeedRecord = Mapping[str, Any]


class Health(Protocol):
    """Cooldowns per (account, scope): the whole account, a model family, or a model;
    and each account's last failure, for listings."""

    def blocking(self, account: str, *scopes: str) -> Cooldown | None:
        """The active cooldown that keeps `account` from serving `scopes` (its
        whole-account one counts for every scope): the one ending last, or None."""

    def cooldowns(self, account: str) -> tuple[Cooldown, ...]:
        """Every record of the account, active or only remembering a backoff level."""

    def strike(
        self, account: str, scope: str, kind: CooldownKind, reason: str, until: float | None = None
    ) -> Cooldown:
        """Record a failure; `until` is the upstream's reset time when it sent one.
        Without one the backoff ladder decides, and a strike while a cooldown of the same
        kind is active reuses it, so a burst of in-flight 429s escalates once
        (`dragoman.state.cooling`). Redis: a Lua script applying the same rule."""

    def recovered(self, account: str, scope: str) -> None:
        """A success: forget the backoff level of an expired record (an active one stays:
        the request may have started before the failure). Redis: a conditional HDEL."""

    def reset(self, account: str) -> None:
        """The user cleared the account: every cooldown of it goes (its last error stays:
        it is history, not a state). Redis: DEL + PUBLISH."""

    def failed(self, error: LastError) -> None:
        """Remember the account's latest failure (a newer one replaces it; an older one
        learned late is ignored). Redis: HSET guarded by `at`, then PUBLISH."""

    def last_error(self, account: str) -> LastError | None:
        """The account's latest failure, or None: none since its record was collected."""


class Windows(Protocol):
    """Usage windows per (account, family, window name)."""

    def of(self, account: str) -> tuple[Window, ...]:
        """The account's windows as last observed (reset ones included: see `used_at`)."""

    def observe(self, window: Window) -> None:
        """A newer observation replaces an older one of the same window; an older one is
        ignored. Redis: HSET guarded by observed_at, then PUBLISH."""


class ClientLogins(Protocol):
    """The usage windows of the logins clients bring (`auth = "client"`), per login."""

    def all(self) -> tuple[ClientLogin, ...]:
        """Every login seen (its record not yet collected), the most recently seen first."""

    def observe(self, record: ClientLogin) -> None:
        """A newer observation of the login replaces an older one; an older one is
        ignored. Redis: SET guarded by seen_at, then PUBLISH."""


class Bindings(Protocol):
    """Session affinity: (session key, model) -> account, with a time to live."""

    def get(self, session: str, model: str) -> str | None:
        """The bound account, or None when unbound or expired."""

    def bind(self, session: str, model: str, account: str, ttl: float) -> None:
        """Bind, or renew (a success on the bound account): expires `ttl` from now.
        Redis: SET with EX."""

    def drop(self, session: str, model: str) -> None:
        """Forget one binding (its account failed, cooled, or went slow)."""

    def drop_account(self, account: str) -> int:
        """Forget every binding to `account`; how many there were."""

    def count(self, account: str) -> int:
        """Unexpired bindings to `account`, for listings."""

    def all(self) -> tuple[Binding, ...]:
        """Every unexpired binding, for listings."""


class InFlight(Protocol):
    """Requests in progress per account, and the `max_concurrent` check."""

    def count(self, account: str) -> int:
        """In flight now on `account` across every process sharing the state."""

    async def acquire(self, account: str, limit: int | None) -> bool:
        """Take a slot if fewer than `limit` are taken (None: no limit): the check and the
        increment are one atomic step across processes. Redis: a Lua script over a
        hash of per-replica counts."""

    def release(self, account: str) -> None:
        """Give back a slot this process took. Never waits and never fails, so that it
        is safe in any `finally`."""


class Counters(Protocol):
    """Rate limits and budgets: amounts counted per (key, period) against a limit."""

    async def reserve(self, key: str, amount: float, limit: float, period: Period) -> Reservation | Refused:
        """Hold `amount` if what is counted in the current period plus it stays within
        `limit`; else Refused with when enough frees up. Atomic across processes, so
        N concurrent reservations never overshoot the limit (only settling to more than
        was reserved can). Redis: a Lua script over the period's buckets."""

    async def settle(self, reservation: Reservation, actual: float) -> None:
        """Replace the held amount by what was really spent. Once per reservation: a
        second settle or release of it does nothing."""

    async def release(self, reservation: Reservation) -> None:
        """Give the held amount back (an error before anything was billed)."""

    async def used(self, key: str, period: Period) -> float:
        """What the current period has counted (settled plus held)."""

    async def reserve_all(self, asks: Sequence[Ask]) -> list[Reservation] | Refused:
        """`reserve` for several counters in one atomic step (a key's limits): a
        reservation per ask, in order, or the Refused of the first that does not fit with
        nothing held. Redis: one Lua script over every ask's buckets."""

    async def settle_all(self, settled: Sequence[tuple[Reservation, float]]) -> None:
        """`settle` each (reservation, actual) in one step; an actual of 0 releases. Redis:
        one Lua script (or one pipeline of the per-counter scripts)."""


class Subscription(Protocol):
    """One reader of the live feed: an async iterator over records, bounded: when the
    reader falls behind, the oldest records are dropped (and counted), never the
    publisher slowed."""

    def __aiter__(self) -> AsyncIterator[FeedRecord]: ...

    async def __anext__(self) -> FeedRecord: ...

    @property
    def dropped(self) -> int: ...

    def waiting(self) -> list[FeedRecord]:
        """The records waiting now, oldest first, taken without waiting: a reader that
        woke for one takes the burst that came with it in one go."""

    def close(self) -> None:
        """Stop reading: a pending `__anext__` ends the iteration."""


class Feed(Protocol):
    """The live trace feed: every process's records, to every subscriber."""

    @property
    def listening(self) -> bool:
        """Someone subscribes, here or in another process: a publisher with no one
        listening need not make its record."""

    def publish(self, record: FeedRecord) -> None:
        """Hand a record to every subscriber; never blocks. Redis: PUBLISH."""

    def subscribe(self, backlog: int = 1000) -> Subscription:
        """A new reader that keeps at most `backlog` unread records."""


class Lease(Protocol):
    """A lock held: its fencing token, and a way to number a write above what is stored."""

    @property
    def fence(self) -> int:
        """Issued when the lock was taken, larger than any issued before for its name."""

    async def fence_above(self, stored: int) -> int:
        """A fence larger than `stored` (the one the guarded row was last written with)
        to write with, while the lock is still held; 0 if it was lost meanwhile. The
        lease's own, unless the counter fell behind the row (a Redis that restarted
        empty): it is then moved past `stored`. Redis: a Lua script checking the token."""


class Locks(Protocol):
    """Exclusive locks by name across every process sharing the state, each with a
    fencing token: whoever writes what the lock guards writes its fence too, and a write
    carrying a fence older than the stored one is refused, so a holder whose lock ran
    out (paused, partitioned) can never overwrite what a later holder wrote."""

    def hold(self, name: str, wait: float = 120.0) -> AbstractAsyncContextManager[Lease]:
        """The lock, waited for at most `wait` seconds (LockTimeout). Memory: an asyncio
        lock; host: plus an `flock` in the home; Redis: SET NX PX with a token, renewed
        while held, released by a compare-and-delete script, the fence from INCR."""
