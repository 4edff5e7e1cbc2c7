"""What a client is told when no account of the pool can take its request, and the
words a request's log line uses for a failover.

    NoAccount.retry_after   seconds until the earliest account may be back, rounded up
                            (None: none comes back by waiting: disabled, unhealthy)
    NoAccount.message       every account and why it is out, e.g.
        no account can serve gpt-5 now: codex-alice: cooling until 14:05 UTC
        (429 usage_limit_reached); codex-bob: at max_concurrent 2
    chain_refusal           the same over a fallback chain, model by model:
        no account can serve gpt-5 or its fallbacks now: gpt-5: codex-alice: ...
        | claude-sonnet-4-5: anthropic: cooling until ...

Reasons are the upstream's words as `pools.outcomes` kept them (already masked); the
message is masked once more, since a cooldown's reason may come from elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from dragoman.observe.redact import redact
from dragoman.pools.exclusion import Exclusion, Why

REASON_LIMIT = 120
# Float noise in "until - now" must not add a whole second to an exact wait.
_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class NoAccount:
    """The data of the 429 a client gets; the relay renders it in the client's dialect."""

    model: str
    retry_after: int | None
    message: str
    excluded: tuple[Exclusion, ...]
    # Each account and why it is out, without the sentence around them.
    reasons: str = "no account serves it"


def no_account(model: str, excluded: Iterable[Exclusion], now: float, reserve: float) -> NoAccount:
    found = tuple(excluded)
    if not found:
        return NoAccount(model, None, f"no account serves {model}", found)
    reasons = redact("; ".join(describe(exclusion, now, reserve) for exclusion in found))
    message = f"no account can serve {model} now: {reasons}"
    return NoAccount(model, retry_after(found, now), message, found, reasons)


def chain_refusal(refusals: Sequence[NoAccount]) -> NoAccount:
    """The 429 for a request no model of its fallback chain could take: each model's
    accounts and why, retry-after the earliest any of them may be back."""
    first = refusals[0]
    if len(refusals) == 1:
        return first
    reasons = " | ".join(f"{refusal.model}: {refusal.reasons}" for refusal in refusals)
    waits = [refusal.retry_after for refusal in refusals if refusal.retry_after is not None]
    excluded = tuple(exclusion for refusal in refusals for exclusion in refusal.excluded)
    message = f"no account can serve {first.model} or its fallbacks now: {reasons}"
    return NoAccount(first.model, min(waits) if waits else None, message, excluded, reasons)


def fallback_reason(previous: str, because: str) -> str:
    """The reason a log line gives for a model tried after `previous` could not serve."""
    return f"fallback from {previous} because {because}"


def retry_after(excluded: Iterable[Exclusion], now: float) -> int | None:
    """Whole seconds until the earliest `until`, at least 1."""
    ends = [exclusion.until for exclusion in excluded if exclusion.until is not None]
    if not ends:
        return None
    return max(1, math.ceil(min(ends) - now - _EPSILON))


def failover_reason(previous: str, because: str) -> str:
    """The reason a log line gives for a candidate tried after `previous` failed."""
    return f"failover from {previous} because {because}"


def describe(exclusion: Exclusion, now: float, reserve: float) -> str:
    return f"{exclusion.account}: {_SAYINGS[exclusion.why](exclusion, now, reserve)}"


def clock_time(at: float | None, now: float) -> str:
    """`14:05 UTC` today (with seconds when under a minute away), else with the date."""
    if at is None or not math.isfinite(at):
        return "reset"
    moment, today = datetime.fromtimestamp(at, UTC), datetime.fromtimestamp(now, UTC)
    if moment.date() != today.date():
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return moment.strftime("%H:%M:%S UTC" if at - now < 60 else "%H:%M UTC")


def _short(reason: str) -> str:
    reason = " ".join(reason.split())
    return reason if len(reason) <= REASON_LIMIT else reason[: REASON_LIMIT - 1] + "…"


def _cooling(exclusion: Exclusion, now: float, reserve: float) -> str:
    return f"cooling until {clock_time(exclusion.until, now)} ({_short(exclusion.detail)})"


def _unhealthy(exclusion: Exclusion, now: float, reserve: float) -> str:
    return f"unhealthy until {clock_time(exclusion.until, now)} ({_short(exclusion.detail)})"


def _model_off(exclusion: Exclusion, now: float, reserve: float) -> str:
    return f"model off until {clock_time(exclusion.until, now)} ({_short(exclusion.detail)})"


def _quota(exclusion: Exclusion, now: float, reserve: float) -> str:
    return (
        f"{exclusion.detail} window {exclusion.amount:g}% used (reserve {reserve:g}%), "
        f"resets {clock_time(exclusion.until, now)}"
    )


_SAYINGS: Mapping[Why, Callable[[Exclusion, float, float], str]] = {
    "disabled": lambda exclusion, now, reserve: "disabled",
    "owned": lambda exclusion, now, reserve: f"the conversation's state belongs to {exclusion.detail}",
    "busy": lambda exclusion, now, reserve: f"at max_concurrent {exclusion.amount:g}",
    "cooling": _cooling,
    "unhealthy": _unhealthy,
    "model_off": _model_off,
    "quota": _quota,
}
