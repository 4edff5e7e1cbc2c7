"""An answer's windows, as the runtime state keeps them."""

from __future__ import annotations

from dragoman.pools.reading import Reading, UsageWindow
from dragoman.pools.usage import windows
from dragoman.state import Window

NOW = 1_800_000_000.0


def test_windows_become_percent_used_per_account_and_family() -> None:
    reading = Reading(
        (
            UsageWindow("5h", None, 18_000, 0.25, NOW + 600, rejected=False),
            UsageWindow("7d_oi", "fable", 604_800, 0.5, NOW + 86_400, rejected=False),
            UsageWindow("7d", None, None, 0.995, NOW + 3600, rejected=True),
        )
    )
    assert windows("alice", reading, NOW) == (
        Window("alice", "", "5h", 25.0, 18_000, NOW + 600, NOW),
        Window("alice", "fable", "7d_oi", 50.0, 604_800, NOW + 86_400, NOW),
        Window("alice", "", "7d", 100.0, 0, NOW + 3600, NOW),  # rejected: full, whatever it said
    )


def test_windows_without_a_reset_or_a_use_are_not_kept() -> None:
    reading = Reading(
        (
            UsageWindow("requests", None, 60, 0.5, None, rejected=False),
            UsageWindow("tokens", None, 60, None, NOW + 60, rejected=False),
        )
    )
    assert windows("alice", reading, NOW) == ()


def test_a_rejected_window_without_a_percent_counts_as_full() -> None:
    reading = Reading((UsageWindow("unified", None, None, None, NOW + 60, rejected=True),))
    assert windows("alice", reading, NOW)[0].used_percent == 100.0


def test_a_percent_out_of_range_is_clamped() -> None:
    reading = Reading((UsageWindow("5h", None, 18_000, 1.7, NOW + 60, rejected=False),))
    assert windows("alice", reading, NOW)[0].used_percent == 100.0
