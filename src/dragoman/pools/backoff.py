"""How long to stay away from an account: the exponential ladder, the jitter, the knobs.

The ladder doubles from `backoff_first` to `backoff_cap` (1 s ... 30 min) for failures
that name no reset; the caller keeps the level per account and passes it back in. A
reset the upstream names gets a random grace of at most `max_jitter` seconds, and at most
`jitter_share` of the wait, so the accounts of a pool that hit the same wall do not all
wake in the same second, while a one-second Retry-After stays about one second.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

# Draws a number between its two arguments, as `random.uniform` does; tests pass a
# seeded `random.Random(n).uniform`, or a constant.
Jitter = Callable[[float, float], float]


@dataclass(frozen=True, slots=True)
class Policy:
    backoff_first: float = 1.0
    backoff_cap: float = 30 * 60.0
    transient: float = 15.0  # 408, 5xx, overload, a dropped connection
    model_off: float = 12 * 3600.0  # a model the account does not serve (CPA waits 12 h too)
    max_jitter: float = 30.0
    jitter_share: float = 0.1


DEFAULT_POLICY = Policy()


def ladder(level: int, policy: Policy = DEFAULT_POLICY) -> float:
    """Seconds to wait at a backoff level: 0 -> 1 s, 1 -> 2 s, ... capped."""
    if level >= 64:  # 2**64 s is past any cap; avoids a float overflow
        return policy.backoff_cap
    return min(policy.backoff_cap, policy.backoff_first * 2.0 ** max(0, level))


def jittered(
    at: float, policy: Policy = DEFAULT_POLICY, jitter: Jitter = random.uniform, now: float | None = None
) -> float:
    """`at` plus a grace of 0 to `max_jitter` seconds; with `now`, also at most
    `jitter_share` of the wait from `now` to `at`."""
    most = policy.max_jitter
    if now is not None:
        most = min(most, max(0.0, at - now) * policy.jitter_share)
    grace = jitter(0.0, most)
    return at + min(most, max(0.0, grace))
