"""What a client reads when its key's limit refuses a request.

Each message names the key, the limit as the user wrote it (`budget 20usd/month`,
`rpm 60`) and when it frees up, as an absolute time in the limit's time zone and a
relative one:

    key 'alice' is over its budget 20usd/month: $19.98 of $20.00 used, and this request
    may cost up to $0.12; it resets at 2027-01-01 00:00 CET (in 24d 3h)

Rate limits (`rpm`, `tpm`, and a key's `max_concurrent`) are 429 with `retry-after`:
waiting a moment is the cure. Budgets and quotas (money, tokens or requests per day,
week, month or rolling window) are 403 with the reset time: a client that retries
them at once only fails again.
"""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from dragoman.ir.errors import GatewayError, OverBudget, PermissionDenied, RateLimited
from dragoman.policy.keys import Limit, LocalKey
from dragoman.state.records import Period, Refused

# The limits that count a short rate, not a budget: 429, to be retried soon.
RATE_NAMES = frozenset({"rpm", "tpm"})
RATE_SECONDS = 60.0
# When a slot under `max_concurrent` may be free: requests end all the time.
CONCURRENT_RETRY = 1.0
_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def is_rate(limit: Limit) -> bool:
    period = limit.period
    return limit.name in RATE_NAMES or (period.unit is None and period.seconds <= RATE_SECONDS)


def spelled(limit: Limit) -> str:
    """The limit as `dragoman keys create` takes it: `budget 20usd/month`, `rpm 60`."""
    size = _size(limit.amount) + ("usd" if limit.kind == "cost" else "")
    if limit.name in RATE_NAMES:
        return f"{limit.name} {size}"
    return f"{limit.name} {size}/{period_text(limit.period)}"


def period_text(period: Period) -> str:
    return period.unit or duration(period.seconds, parts=1)


def refusal(key: LocalKey, limit: Limit, refused: Refused, needed: float, now: float) -> GatewayError:
    """The error for a reservation of `needed` that `limit` refused."""
    used = f"{_amount(limit, refused.used)} of {_amount(limit, limit.amount)} used"
    if math.isinf(refused.reset_at):
        return PermissionDenied(
            f"key {key.name!r}: this request alone needs {_amount(limit, needed)}, more than its "
            f"{spelled(limit)} allows; it can never pass (ask for less output, or raise the limit)"
        )
    when = _when(refused.reset_at, now, limit.period.zone)
    if is_rate(limit):
        return RateLimited(
            f"key {key.name!r} reached its rate limit {spelled(limit)} ({used}); try again at {when}",
            retry_after=max(1.0, refused.reset_at - now),
        )
    return OverBudget(
        f"key {key.name!r} is over its {spelled(limit)}: {used}, and this request needs up to "
        f"{_amount(limit, needed)}; it resets at {when}"
    )


def cut(key: LocalKey, limit: Limit, refused: Refused, needed: float, now: float) -> OverBudget:
    """The error that ends a streamed answer whose next step (`needed` more) `limit` refused."""
    used = f"{_amount(limit, refused.used)} of {_amount(limit, limit.amount)} used"
    when = _when(refused.reset_at, now, limit.period.zone) if math.isfinite(refused.reset_at) else None
    reset = f"; it resets at {when}" if when else ""
    return OverBudget(
        f"key {key.name!r} reached its {spelled(limit)} during this answer ({used}): going on needed "
        f"{_amount(limit, needed)} more, so the answer was cut short here{reset}"
    )


def too_many(key: LocalKey) -> RateLimited:
    return RateLimited(
        f"key {key.name!r} already has {key.max_concurrent} requests in flight, its max_concurrent "
        f"{key.max_concurrent}; try again when one ends",
        retry_after=CONCURRENT_RETRY,
    )


def unpriced(key: LocalKey, model: str) -> PermissionDenied:
    return PermissionDenied(
        f"key {key.name!r} has a budget in money, and model {model!r} has no price to count it by; "
        f'set one in config.toml: [prices."{model}"] input = 2.5, output = 10 (US dollars per million '
        "tokens), or use a key whose limits count tokens"
    )


def duration(seconds: float, parts: int = 2) -> str:
    """`3h 12m`, `45s`, `24d 3h`: the largest `parts` units of `seconds`."""
    left = max(0, math.ceil(seconds))
    counts = []
    for unit, size in _UNITS:
        count, left = divmod(left, size)
        counts.append((count, unit))
    first = next((n for n, (count, _) in enumerate(counts) if count), len(counts) - 1)
    shown = [f"{count}{unit}" for count, unit in counts[first : first + parts] if count]
    return " ".join(shown) or "0s"


def _when(at: float, now: float, zone: str) -> str:
    local = datetime.fromtimestamp(at, ZoneInfo(zone))
    shown = local.strftime("%Y-%m-%d %H:%M:%S" if at - now < 3600 else "%Y-%m-%d %H:%M")
    return f"{shown} {local.tzname()} (in {duration(at - now)})"


def _amount(limit: Limit, amount: float) -> str:
    if limit.kind == "cost":
        # In cents, unless the budget itself is finer: a 0.036usd budget shown as cents
        # read "$0.04 of $0.04 used".
        cents = round(limit.amount, 2) == limit.amount and (amount >= 0.01 or amount == 0)
        return f"${amount:,.2f}" if cents else f"${amount:,.4f}"
    noun = "tokens" if limit.kind == "tokens" else "requests"
    return f"{_size(amount)} {noun}"


def _size(amount: float) -> str:
    """5M, 200k, 1000, 2.5: as a user writes sizes."""
    for suffix, scale in (("M", 1e6), ("k", 1e3)):
        if amount >= scale and (amount / scale) == round(amount / scale, 1):
            return f"{amount / scale:g}{suffix}"
    return f"{amount:g}"
