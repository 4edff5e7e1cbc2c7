"""The option strings of local keys, read into limits and times.

    budget    20usd/month  $20/month  2.5usd/5h      -> Limit("budget", "cost", 20, month)
    tokens    5M/day  200k/week  1.5k/30m            -> Limit("tokens", "tokens", ...)
    requests  1000/day                               -> Limit("requests", "requests", ...)
    rpm       60                                     -> Limit("rpm", "requests", 60, rolling 60 s)
    tpm       200k                                   -> Limit("tpm", "tokens", 200000, rolling 60 s)
    expires   30d  12h  20s  2027-01-31  2027-01-31T18:00:00+01:00

A period is `/day`, `/week` (from Monday) or `/month`, counted in the user's time zone
(the config's `time_zone`), or a rolling window: `/5h`, `/30m`, `/90s`, `/2d` (whose
resets are shown in that zone too). A size
takes `k` (thousand) or `M` (million). Every error names the option and the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any, get_args
from zoneinfo import ZoneInfo

from dragoman.policy.keys import Limit, LimitKind
from dragoman.state.records import Period, PeriodUnit

UNITS: frozenset[str] = frozenset(get_args(PeriodUnit))
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)([kKmM]?)")
_SPAN = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_MONEY = re.compile(r"\$?(\d+(?:\.\d+)?)(usd)?", re.IGNORECASE)
_MULTIPLIER = {"": 1, "k": 1_000, "m": 1_000_000}

# The options that set a limit: what each counts, and whether it has its own period.
LIMIT_OPTIONS: dict[str, tuple[LimitKind, float | None]] = {
    "budget": ("cost", None),
    "tokens": ("tokens", None),
    "requests": ("requests", None),
    "rpm": ("requests", 60.0),
    "tpm": ("tokens", 60.0),
}


class QuantityError(ValueError):
    """An option's text that does not say what it should: the message names both."""

    def __init__(self, option: str, text: object, expected: str) -> None:
        super().__init__(f"--{option.replace('_', '-')} {text!r}: {expected}")
        self.option = option


def size(option: str, text: object) -> float:
    """`5M`, `200k`, `1.5k`, `1000` (or a number) as a positive number."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        found: float = float(text)
    else:
        match = _SIZE.fullmatch(str(text).strip())
        if match is None:
            raise QuantityError(option, text, "expected a number like 1000, 200k or 5M")
        found = float(match[1]) * _MULTIPLIER[match[2].lower()]
    if found <= 0:
        raise QuantityError(option, text, "must be more than 0")
    return found


def money(option: str, text: str) -> float:
    """`20usd`, `$20`, `2.5` as US dollars."""
    match = _MONEY.fullmatch(text.strip())
    if match is None or (text.strip().startswith("$") and match[2]):
        raise QuantityError(option, text, "expected an amount in US dollars like 20usd or $20")
    if float(match[1]) <= 0:
        raise QuantityError(option, text, "must be more than 0")
    return float(match[1])


def span(option: str, text: str) -> float:
    """`90s`, `30m`, `5h`, `2d`, `1w` in seconds."""
    match = _SPAN.fullmatch(text.strip())
    if match is None or float(match[1]) <= 0:
        raise QuantityError(option, text, "expected a span like 90s, 30m, 5h or 2d")
    return float(match[1]) * _SECONDS[match[2]]


def period(option: str, text: str, zone: str) -> Period:
    """`day`, `week`, `month` (in `zone`) or a rolling span like `5h`."""
    unit = text.strip().lower()
    if unit in UNITS:
        return Period.fixed(unit, zone)  # type: ignore[arg-type]
    try:
        return Period.rolling(span(option, text), zone)
    except QuantityError:
        raise QuantityError(option, text, "expected a period: day, week, month or a span like 5h") from None


def limit(option: str, text: object, zone: str) -> Limit:
    """One limit option (`budget`, `tokens`, `requests`, `rpm`, `tpm`) read."""
    kind, window = LIMIT_OPTIONS[option]
    if window is not None:
        return Limit(option, kind, size(option, text), Period.rolling(window, zone))
    amount, slash, per = str(text).partition("/")
    if not slash:
        raise QuantityError(option, text, "expected an amount per period, e.g. 20usd/month, 5M/day, 1000/5h")
    try:
        found = money(option, amount) if kind == "cost" else size(option, amount)
        return Limit(option, kind, found, period(option, per, zone))
    except QuantityError as error:
        raise QuantityError(option, text, str(error).partition(": ")[2]) from None


def limits(options: Mapping[str, Any], zone: str) -> tuple[Limit, ...]:
    """The limits these options set, in LIMIT_OPTIONS' order."""
    return tuple(limit(name, options[name], zone) for name in LIMIT_OPTIONS if options.get(name) is not None)


def expiry(text: str, now: float, zone: str = "UTC") -> float:
    """When a key given `--expires TEXT` at `now` expires, in epoch seconds: a span from
    now (`30d`), a date (its midnight in `zone`) or an ISO date-time (`zone` unless it
    says its own)."""
    stripped = text.strip()
    if _SPAN.fullmatch(stripped):
        return now + span("expires", stripped)
    try:
        moment = datetime.fromisoformat(stripped)
    except ValueError:
        raise QuantityError(
            "expires", text, "expected a span like 30d, 12h, 20s, a date like 2027-01-31 or an ISO date-time"
        ) from None
    if len(stripped) == 10:  # a date alone: from its very start
        moment = datetime.combine(moment.date(), time())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.timestamp()


def when(epoch: float) -> str:
    """An epoch time as UTC ISO text, for messages and listings."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
