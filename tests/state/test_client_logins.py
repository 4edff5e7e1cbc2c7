"""The windows of the logins clients bring: one record per login digest, the newest
observation kept, listed most recently seen first (every backend)."""

from __future__ import annotations

from dragoman.state import ClientLogin, State
from tests.state.conftest import FakeClock


def seen(clock: FakeClock, login: str, used: float) -> ClientLogin:
    windows = f'[{{"name":"5h","status":"allowed","used_percent":{used}}}]'
    return ClientLogin(f"sha256:{login}", "claude_passthrough", windows, clock.now)


def test_each_login_is_kept_and_the_latest_seen_comes_first(state: State, clock: FakeClock) -> None:
    assert state.client_logins.all() == ()
    first = seen(clock, "aaaa", 10.0)
    state.client_logins.observe(first)
    clock.advance(5)
    second = seen(clock, "bbbb", 20.0)
    state.client_logins.observe(second)
    assert state.client_logins.all() == (second, first)


def test_a_newer_observation_replaces_and_an_older_one_does_not(state: State, clock: FakeClock) -> None:
    state.client_logins.observe(seen(clock, "aaaa", 10.0))
    clock.advance(5)
    newer = seen(clock, "aaaa", 55.0)
    state.client_logins.observe(newer)
    state.client_logins.observe(seen(FakeClock(clock.now - 3), "aaaa", 12.0))
    assert state.client_logins.all() == (newer,)
