"""A restart (a new process on the same home) keeps what must last: cooldowns, usage
windows and spend; in-flight counts start from zero."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.state.host.conftest import Peer, within

WEEK = 7 * 86_400


def test_a_restart_keeps_cooldowns_windows_and_spend(peers: Callable[[int], list[Peer]]) -> None:
    (before,) = peers(1)
    until = before.call("strike", account="alice", scope="oi", until=time.time() + WEEK)
    resets = time.time() + 5 * 86_400
    before.call("observe", account="alice", name="7d", used=88.0, resets_at=resets, at=time.time())
    assert before.call("reserve_storm", key="key:alice:usd", amount=2.5, limit=10.0, tasks=4) == 4
    before.call("acquire", account="alice", limit=10, times=2)
    before.stop()
    (after,) = peers(1)
    assert after.call("blocking", account="alice", scope="oi") == until
    assert after.call("windows", account="alice") == [["7d", 88.0, resets]]
    assert after.call("used", key="key:alice:usd") == 10.0
    assert after.call("in_flight", account="alice") == 0


def test_a_cooldown_outlives_a_kill_once_shared(peers: Callable[[int], list[Peer]]) -> None:
    doomed, witness = peers(2)
    until = doomed.call("strike", account="alice", scope="", until=time.time() + WEEK)
    assert within(1.0, lambda: witness.call("blocking", account="alice", scope=""))[0] == until
    doomed.kill()
    (restarted,) = peers(1)
    assert restarted.call("blocking", account="alice", scope="") == until
