"""The values runtime state holds: frozen, slotted, and the same in every backend.

Times are wall-clock epoch seconds (what upstreams send as reset times, and what must
mean the same after a restart). `math.inf` stands for "until the user resets it".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, NamedTuple

# What cooled an account: a quota window (429), a transient fault (408, 5xx, a dropped
# connection), an account the upstream refuses until someone acts (402/403, repeated
# 401), or one model the account does not serve (404).
CooldownKind = Literal["quota", "transient", "unhealthy", "model_off"]
COOLDOWN_KINDS: tuple[CooldownKind, ...] = ("quota", "transient", "unhealthy", "model_off")

# The scope of a cooldown that covers every model of the account.
WHOLE_ACCOUNT = ""
UNTIL_RESET = math.inf

PeriodUnit = Literal["day", "week", "month"]


@dataclass(frozen=True, slots=True)
class Cooldown:
    """An account (scope WHOLE_ACCOUNT) or one model family or model of it, out of use
    until `until`. `level` counts strikes in a row: the backoff ladder's step. A record
    outlives its `until` to remember that level, until a success clears it."""

    account: str
    scope: str
    kind: CooldownKind
    reason: str
    until: float
    level: int = 0
    since: float = 0.0

    def active(self, now: float) -> bool:
        return self.until > now


@dataclass(frozen=True, slots=True)
class LastError:
    """An account's latest failed answer, for listings: when, the status (None: no
    answer came, a timeout or a dropped connection), the failure rule that matched it,
    and its message with anything key-shaped masked (`pools.outcomes`)."""

    account: str
    at: float
    status: int | None
    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class Window:
    """One usage window as the upstream last reported it: e.g. Claude's weekly `7d_oi`
    of one model family, or Codex's 300-minute window of the whole account (family
    WHOLE_ACCOUNT). `window_seconds` 0: the upstream did not say."""

    account: str
    family: str
    name: str
    used_percent: float
    window_seconds: float
    resets_at: float
    observed_at: float

    def used_at(self, now: float) -> float:
        """The percent used at `now`: nothing once the window has reset."""
        return 0.0 if self.resets_at <= now else self.used_percent


@dataclass(frozen=True, slots=True)
class Binding:
    """A conversation (session key, model) kept on one account until `expires`."""

    session: str
    model: str
    account: str
    expires: float


@dataclass(frozen=True, slots=True)
class Period:
    """The span a counter counts over: a calendar day, week (from Monday) or month in a
    time zone, or a rolling window of `seconds`. A rolling window's zone only says in
    which zone its times are shown (a refusal's reset): it counts the same anywhere, so
    it is no part of the counter's name (`token`)."""

    unit: PeriodUnit | None = None
    seconds: float = 0.0
    zone: str = "UTC"

    @classmethod
    def fixed(cls, unit: PeriodUnit, zone: str = "UTC") -> Period:
        return cls(unit=unit, zone=zone)

    @classmethod
    def rolling(cls, seconds: float, zone: str = "UTC") -> Period:
        if seconds <= 0:
            raise ValueError("a rolling window lasts a positive number of seconds")
        return cls(seconds=seconds, zone=zone)

    @property
    def token(self) -> str:
        """A stable name for this period, part of a counter's identity."""
        return f"{self.unit}@{self.zone}" if self.unit else f"rolling@{self.seconds:g}"


class Ask(NamedTuple):
    """One amount to hold against one counter (`key` over `period`) under `limit`, in a
    `Counters.reserve_all` (a tuple: made for each limit of each request)."""

    key: str
    amount: float
    limit: float
    period: Period


@dataclass(frozen=True, slots=True)
class Reservation:
    """An amount held against a counter until it is settled or released. `bucket` is
    where it was counted; `period` and `key` name the counter."""

    id: int
    key: str
    period: Period
    amount: float
    bucket: int


@dataclass(frozen=True, slots=True)
class Refused:
    """A reservation that did not fit: `used` of `limit` is taken, and enough frees up
    at `reset_at` (math.inf: the amount alone exceeds the limit)."""

    key: str
    used: float
    limit: float
    reset_at: float
