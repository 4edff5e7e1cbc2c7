"""How pools choose: the `[pools]` settings, and each account's own policy.

    [pools]
    strategy = "fill-first"        # round-robin | weighted | least-used | headroom
    quota_reserve_percent = 100    # a window used at least this much takes the account out
    session_ttl = "1h"             # seconds, or "90m", "30s", "1h30m"

    [pools.slow]                   # when a bound account is too slow to keep a session
    factor = 2.0
    floor_seconds = 2.0
    strikes = 3

    [pools.models."claude-*"]      # per model: an exact name, else the first glob that matches
    strategy = "round-robin"

The reserve defaults to 100: an account is out once a window is exhausted, which the
headers say before the 429 comes. A lower reserve rotates earlier, at the price of
refusing requests a lone account could still serve.

`AccountPolicy` is what one account adds (`[providers.NAME]`, `accounts set`, the admin
API): its priority tier, weight, concurrency limit and whether it is enabled. Equal
priorities by default, so a pool's strategy spreads over all of its accounts; the
configured order then breaks ties and orders failover.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dragoman.pools.instants import duration

StrategyName = Literal["fill-first", "round-robin", "weighted", "least-used", "headroom"]
DEFAULT_PRIORITY = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelPool(_Strict):
    """`[pools.models."<model or glob>"]`: what one model's pool does differently."""

    strategy: StrategyName


class SlowBinding(_Strict):
    """A bound account is slow when its time to first byte is above `factor` times the
    pool's median and above `floor_seconds`; `strikes` such requests in a row release
    the session to the strategy. `smoothing` weighs each new sample in an account's
    running average (0.2: about the last five requests count)."""

    factor: Annotated[float, Field(gt=1)] = 2.0
    floor_seconds: Annotated[float, Field(ge=0)] = 2.0
    strikes: Annotated[int, Field(ge=1)] = 3
    smoothing: Annotated[float, Field(gt=0, le=1)] = 0.2


class PoolSettings(_Strict):
    """The `[pools]` table."""

    strategy: StrategyName = "fill-first"
    models: dict[str, ModelPool] = Field(default_factory=dict)
    quota_reserve_percent: Annotated[float, Field(gt=0, le=100)] = 100.0
    session_ttl: float = 3600.0
    slow: SlowBinding = Field(default_factory=SlowBinding)

    @field_validator("session_ttl", mode="before")
    @classmethod
    def _ttl(cls, value: object) -> float:
        seconds = duration(value)
        if seconds is None or seconds <= 0 or not math.isfinite(seconds):
            raise ValueError('a positive number of seconds, or a duration such as "1h", "90m" or "30s"')
        return seconds

    def strategy_for(self, model: str) -> StrategyName:
        """The model's own strategy (its exact name first, then the first glob, in the
        order written), else the global one."""
        exact = self.models.get(model)
        if exact is not None:
            return exact.strategy
        for pattern, override in self.models.items():
            if fnmatchcase(model, pattern):
                return override.strategy
        return self.strategy


@dataclass(frozen=True, slots=True)
class AccountPolicy:
    """One account's part in every pool it serves. Lower `priority` is preferred: the best
    tier with an eligible account is used. `max_concurrent` None: no limit."""

    priority: int = DEFAULT_PRIORITY
    weight: float = 1.0
    max_concurrent: int | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        if not (self.weight > 0 and math.isfinite(self.weight)):
            raise ValueError(f"weight must be a positive number, not {self.weight}")
        if self.max_concurrent is not None and self.max_concurrent < 1:
            raise ValueError(f"max_concurrent must be at least 1 (or unset), not {self.max_concurrent}")


DEFAULT_POLICY = AccountPolicy()
