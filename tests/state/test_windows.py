"""Usage windows: the newest observation of each (account, family, window) is kept."""

from __future__ import annotations

from dragoman.state import WHOLE_ACCOUNT, State, Window
from tests.state.conftest import FakeClock


def window(clock: FakeClock, name: str = "5h", used: float = 40.0, family: str = WHOLE_ACCOUNT) -> Window:
    return Window("alice", family, name, used, 18_000, clock.now + 3600, clock.now)


def test_windows_are_kept_per_account_family_and_name(state: State, clock: FakeClock) -> None:
    five, week, fable = window(clock), window(clock, "7d", 70.0), window(clock, "7d", 99.0, "oi")
    for observed in (five, week, fable):
        state.windows.observe(observed)
    assert sorted(state.windows.of("alice"), key=lambda w: (w.family, w.name)) == [five, week, fable]
    assert state.windows.of("bob") == ()


def test_a_newer_observation_replaces_and_an_older_one_does_not(state: State, clock: FakeClock) -> None:
    state.windows.observe(window(clock))
    clock.advance(5)
    newer = window(clock, used=55.0)
    state.windows.observe(newer)
    state.windows.observe(window(FakeClock(clock.now - 3), used=10.0))
    assert state.windows.of("alice") == (newer,)


def test_a_window_past_its_reset_reads_as_unused(state: State, clock: FakeClock) -> None:
    state.windows.observe(window(clock, used=100.0))
    (held,) = state.windows.of("alice")
    assert held.used_at(clock.now) == 100.0
    assert held.used_at(clock.now + 3600) == 0.0
