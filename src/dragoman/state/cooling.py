"""How a failure changes a cooldown: one pure rule, shared by every backend.

    unhealthy, model_off     -> out until the given time, or until the user resets it
    a weaker active cooldown -> kept (a 5xx never shortens a quota wait)
    active, no reset sent    -> kept as it is: a burst of in-flight 429s escalates once
    active, reset sent       -> extended to the later of the two
    none active              -> the given reset, or the next step of the kind's ladder
                                (the level goes up by one from the expired record's)

The ladders double from `base` seconds up to `cap`: 1 s ... 30 min for a quota 429
without a reset time, 1 s ... 60 s for transient faults (reference/pools.md, 3a).
"""

from __future__ import annotations

from dataclasses import replace

from dragoman.state.records import UNTIL_RESET, Cooldown, CooldownKind

LADDERS: dict[CooldownKind, tuple[float, float]] = {"quota": (1.0, 1800.0), "transient": (1.0, 60.0)}
SEVERITY: dict[CooldownKind, int] = {"transient": 1, "quota": 2, "unhealthy": 3, "model_off": 3}


def ladder(kind: CooldownKind, level: int) -> float:
    """Seconds to wait at `level` (0 is the first strike)."""
    base, cap = LADDERS.get(kind, LADDERS["transient"])
    return min(cap, base * 2.0 ** min(level, 64))


def strike(
    current: Cooldown | None,
    account: str,
    scope: str,
    kind: CooldownKind,
    reason: str,
    until: float | None,
    now: float,
) -> Cooldown:
    """The record after a failure of `kind`, given the `current` one (or None)."""
    if kind in ("unhealthy", "model_off"):
        level = current.level if current else 0
        return Cooldown(account, scope, kind, reason, UNTIL_RESET if until is None else until, level, now)
    if current is not None and current.active(now):
        return _while_active(current, kind, reason, until, now)
    level = 0 if current is None else current.level + 1
    ends = now + ladder(kind, level) if until is None else until
    return Cooldown(account, scope, kind, reason, ends, level, now)


def _while_active(
    current: Cooldown, kind: CooldownKind, reason: str, until: float | None, now: float
) -> Cooldown:
    if SEVERITY[kind] < SEVERITY[current.kind]:
        return current
    if until is None:
        if kind == current.kind:
            return current
        until = now + ladder(kind, current.level)
    if until <= current.until and kind == current.kind:
        return current
    return replace(current, kind=kind, reason=reason, until=max(current.until, until))
