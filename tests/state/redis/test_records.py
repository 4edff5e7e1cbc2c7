"""How mirrored records are kept in Redis, and how two replicas' writes of one key merge."""

from __future__ import annotations

import math

import pytest

from dragoman.state import UNTIL_RESET, WHOLE_ACCOUNT, Binding, Cooldown, LastError, Window
from dragoman.state.redis.records import KINDS, key_name, merge, parse_key

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    "record",
    [
        Cooldown("alice", WHOLE_ACCOUNT, "unhealthy", "403", UNTIL_RESET, 2, NOW),
        Cooldown("alice", "oi", "quota", "inf", NOW + 60, 0, NOW),  # a reason that reads "inf" stays text
        Window("alice", "oi", "7d", 97.5, 604_800, NOW + 3600, NOW),
        Binding("s:1", "claude-opus", "alice", NOW + 3600),
        LastError("alice", NOW, None, "unreachable", "no answer"),
    ],
)
def test_every_record_reads_back_as_written(record: object) -> None:
    table = next(name for name, kind in KINDS.items() if kind.record is type(record))
    kind = KINDS[table]
    assert kind.decode(kind.encode(record)) == record  # type: ignore[arg-type]


def test_a_key_reads_back_whatever_its_parts_hold() -> None:
    parts = ('session "7":x', "model/with:colons")
    assert parse_key(key_name("bindings", parts)) == ("bindings", parts)


def test_records_are_kept_past_their_time_then_expire() -> None:
    cooldowns, bindings = KINDS["cooldowns"], KINDS["bindings"]
    forever = Cooldown("alice", "", "unhealthy", "403", math.inf, 0, NOW)
    assert cooldowns.ttl_ms(forever, NOW) == 0  # until the user resets it
    assert (
        cooldowns.ttl_ms(Cooldown("alice", "", "quota", "429", NOW + 60, 0, NOW), NOW) == (60 + 86_400) * 1000
    )
    assert bindings.ttl_ms(Binding("s", "m", "alice", NOW - 5), NOW) == 1000  # never zero: that means forever


def quota(until: float, level: int = 0) -> Cooldown:
    return Cooldown("alice", WHOLE_ACCOUNT, "quota", "429", until, level, NOW)


def test_a_stronger_active_cooldown_wins_whoever_wrote_last() -> None:
    waiting = quota(NOW + 9000)
    transient = Cooldown("alice", WHOLE_ACCOUNT, "transient", "503", NOW + 1, 0, NOW)
    assert merge("cooldowns", waiting, transient, NOW) == waiting
    assert merge("cooldowns", transient, waiting, NOW) == waiting
    assert merge("cooldowns", quota(NOW + 10), quota(NOW + 500), NOW) == quota(NOW + 500)


def test_a_success_loses_to_a_cooldown_struck_meanwhile_but_clears_an_expired_one() -> None:
    assert merge("cooldowns", quota(NOW + 60), None, NOW) == quota(NOW + 60)
    assert merge("cooldowns", quota(NOW - 1), None, NOW) is None
    assert merge("cooldowns", None, quota(NOW + 60), NOW) == quota(NOW + 60)


def test_the_newer_window_or_error_wins_and_the_last_binding() -> None:
    old = Window("alice", "", "5h", 10.0, 18_000, NOW + 60, NOW - 10)
    new = Window("alice", "", "5h", 80.0, 18_000, NOW + 60, NOW)
    assert merge("windows", new, old, NOW) == new and merge("windows", old, new, NOW) == new
    late = LastError("alice", NOW - 5, 503, "transient", "late")
    latest = LastError("alice", NOW, 429, "quota", "latest")
    assert merge("errors", latest, late, NOW) == latest
    ours, theirs = Binding("s", "m", "alice", NOW + 60), Binding("s", "m", "bob", NOW + 60)
    assert merge("bindings", theirs, ours, NOW) == ours and merge("bindings", theirs, None, NOW) is None
