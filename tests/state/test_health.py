"""Cooldowns, the contract every backend keeps (reference/pools.md 3a)."""

from __future__ import annotations

import math

from dragoman.state import UNTIL_RESET, WHOLE_ACCOUNT, LastError, State
from tests.state.conftest import FakeClock


def test_a_fresh_account_is_ready(state: State) -> None:
    assert state.health.blocking("alice", "oi") is None
    assert state.health.cooldowns("alice") == ()


def test_a_reset_time_cools_until_it(state: State, clock: FakeClock) -> None:
    record = state.health.strike("alice", WHOLE_ACCOUNT, "quota", "5h window", until=clock.now + 600)
    assert state.health.blocking("alice") == record
    assert record.until == clock.now + 600 and record.reason == "5h window"
    clock.advance(599)
    assert state.health.blocking("alice", "oi") == record
    clock.advance(1)
    assert state.health.blocking("alice", "oi") is None


def test_a_family_cooldown_cools_only_that_family(state: State, clock: FakeClock) -> None:
    state.health.strike("alice", "oi", "quota", "7d_oi rejected", until=clock.now + 86_400)
    blocking = state.health.blocking("alice", "oi")
    assert blocking is not None and blocking.scope == "oi"
    assert state.health.blocking("alice", "sonnet") is None
    assert state.health.blocking("alice") is None
    assert state.health.blocking("bob", "oi") is None


def test_the_later_of_account_and_family_cooldowns_blocks(state: State, clock: FakeClock) -> None:
    state.health.strike("alice", WHOLE_ACCOUNT, "transient", "502", until=clock.now + 10)
    state.health.strike("alice", "oi", "quota", "weekly", until=clock.now + 100)
    assert state.health.blocking("alice", "oi").scope == "oi"  # type: ignore[union-attr]
    assert state.health.blocking("alice", "sonnet").scope == WHOLE_ACCOUNT  # type: ignore[union-attr]


def test_a_burst_of_429s_escalates_once(state: State, clock: FakeClock) -> None:
    first = state.health.strike("alice", WHOLE_ACCOUNT, "quota", "429")
    for _ in range(9):  # the other requests that were in flight when the first 429 came
        assert state.health.strike("alice", WHOLE_ACCOUNT, "quota", "429") == first
    assert first.level == 0 and first.until == clock.now + 1
    clock.advance(1)
    second = state.health.strike("alice", WHOLE_ACCOUNT, "quota", "429")
    assert second.level == 1 and second.until == clock.now + 2
    clock.advance(2)
    assert state.health.strike("alice", WHOLE_ACCOUNT, "quota", "429").until == clock.now + 4


def test_the_quota_ladder_stops_at_half_an_hour(state: State, clock: FakeClock) -> None:
    for _ in range(20):
        record = state.health.strike("alice", WHOLE_ACCOUNT, "quota", "429")
        clock.advance(record.until - clock.now)
    assert record.until - record.since == 1800


def test_a_success_forgets_the_level_of_an_expired_cooldown(state: State, clock: FakeClock) -> None:
    state.health.strike("alice", WHOLE_ACCOUNT, "quota", "429")
    state.health.recovered("alice", WHOLE_ACCOUNT)  # a request that started before the 429
    assert state.health.blocking("alice") is not None
    clock.advance(1)
    state.health.recovered("alice", WHOLE_ACCOUNT)
    assert state.health.cooldowns("alice") == ()
    assert state.health.strike("alice", WHOLE_ACCOUNT, "quota", "429").level == 0


def test_a_later_reset_extends_and_an_earlier_one_does_not_shorten(state: State, clock: FakeClock) -> None:
    strike = state.health.strike
    strike("alice", WHOLE_ACCOUNT, "quota", "5h", until=clock.now + 100)
    assert strike("alice", WHOLE_ACCOUNT, "quota", "7d", until=clock.now + 500).until == clock.now + 500
    assert strike("alice", WHOLE_ACCOUNT, "quota", "probe", until=clock.now + 5).until == clock.now + 500


def test_a_transient_fault_never_shortens_a_quota_wait(state: State, clock: FakeClock) -> None:
    quota = state.health.strike("alice", WHOLE_ACCOUNT, "quota", "weekly", until=clock.now + 9000)
    assert state.health.strike("alice", WHOLE_ACCOUNT, "transient", "503") == quota
    assert state.health.blocking("alice") == quota


def test_unhealthy_lasts_until_the_user_resets(state: State, clock: FakeClock) -> None:
    state.health.strike("alice", WHOLE_ACCOUNT, "unhealthy", "402 payment required")
    state.health.strike("alice", "gpt-9", "model_off", "404 model")
    clock.advance(365 * 86_400)
    blocking = state.health.blocking("alice", "gpt-9")
    assert blocking is not None and blocking.until == UNTIL_RESET and math.isinf(blocking.until)
    state.health.recovered("alice", WHOLE_ACCOUNT)
    assert state.health.blocking("alice") is not None
    state.health.reset("alice")
    assert state.health.blocking("alice", "gpt-9") is None
    assert state.health.cooldowns("alice") == ()


def test_reset_leaves_other_accounts_cooling(state: State, clock: FakeClock) -> None:
    state.health.strike("alice", WHOLE_ACCOUNT, "quota", "429", until=clock.now + 60)
    state.health.strike("bob", WHOLE_ACCOUNT, "quota", "429", until=clock.now + 60)
    state.health.reset("alice")
    assert state.health.blocking("alice") is None
    assert state.health.blocking("bob") is not None


def test_an_accounts_last_error_is_its_latest_failure(state: State, clock: FakeClock) -> None:
    assert state.health.last_error("alice") is None
    first = LastError("alice", clock.now, 429, "quota", "429 quota: the 5h window is spent")
    state.health.failed(first)
    state.health.failed(LastError("alice", clock.now - 5, 503, "transient", "503 learned late"))
    assert state.health.last_error("alice") == first  # an older failure never replaces a newer
    clock.advance(10)
    later = LastError("alice", clock.now, None, "unreachable", "no answer unreachable")
    state.health.failed(later)
    assert state.health.last_error("alice") == later
    assert state.health.last_error("bob") is None


def test_a_reset_keeps_the_last_error(state: State, clock: FakeClock) -> None:
    state.health.strike("alice", WHOLE_ACCOUNT, "unhealthy", "403 suspended")
    state.health.failed(LastError("alice", clock.now, 403, "suspended", "403 suspended"))
    state.health.reset("alice")
    assert state.health.blocking("alice") is None
    assert state.health.last_error("alice") is not None
