"""Why an account cannot take a request, as a value: what a 429 and a log line name."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal, NamedTuple

from dragoman.state.records import Cooldown, CooldownKind

Why = Literal["disabled", "owned", "cooling", "unhealthy", "model_off", "busy", "quota"]
# A slot under max_concurrent frees when some request ends: soon, at an unknown time.
BUSY_RETRY = 1.0
_BY_KIND: Mapping[CooldownKind, Why] = {
    "quota": "cooling",
    "transient": "cooling",
    "unhealthy": "unhealthy",
    "model_off": "model_off",
}


class Exclusion(NamedTuple):
    """Why `account` cannot take the request. `until`: when that may end (epoch seconds;
    None: not by waiting). `detail`: the cooldown's reason, the window's name, or the
    owning account; `amount`: the window's percent used, or the concurrency limit."""

    account: str
    why: Why
    until: float | None = None
    detail: str = ""
    amount: float = 0.0


def cooling(cooldown: Cooldown) -> Exclusion:
    until = cooldown.until if math.isfinite(cooldown.until) else None
    return Exclusion(cooldown.account, _BY_KIND[cooldown.kind], until, cooldown.reason)
