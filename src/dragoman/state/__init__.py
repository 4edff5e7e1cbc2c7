"""Runtime state behind one interface: cooldowns, usage windows, session bindings,
in-flight counts, rate and budget counters, and the live trace feed.

(The design and the measured costs are written here once the host backend lands.)
"""

from __future__ import annotations

from dragoman.state.bundle import BACKENDS, State, open_state
from dragoman.state.protocols import (
    Bindings,
    Counters,
    Feed,
    FeedRecord,
    Health,
    InFlight,
    Subscription,
    Windows,
)
from dragoman.state.records import (
    UNTIL_RESET,
    WHOLE_ACCOUNT,
    Binding,
    Cooldown,
    CooldownKind,
    Period,
    Refused,
    Reservation,
    Window,
)

__all__ = [
    "BACKENDS",
    "UNTIL_RESET",
    "WHOLE_ACCOUNT",
    "Binding",
    "Bindings",
    "Cooldown",
    "CooldownKind",
    "Counters",
    "Feed",
    "FeedRecord",
    "Health",
    "InFlight",
    "Period",
    "Refused",
    "Reservation",
    "State",
    "Subscription",
    "Window",
    "Windows",
    "open_state",
]
