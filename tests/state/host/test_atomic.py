"""Limits that hold while real processes race for them, and a killed one's slots."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.state.host.conftest import Peer, within


def test_the_in_flight_limit_holds_across_processes(peers: Callable[[int], list[Peer]]) -> None:
    first, second = peers(2)
    start_at = time.time() + 1.0
    for peer in (first, second):
        peer.send("acquire_storm", account="alice", limit=4, tasks=50, seconds=0.5, start_at=start_at)
    results = [first.read(60.0), second.read(60.0)]
    assert max(result["most"] for result in results) <= 4, results
    assert all(result["ran"] > 0 for result in results), results  # both got slots: they raced
    assert sum(result["refused"] for result in results) > 0, results  # and the limit was reached
    assert first.call("in_flight", account="alice") == 0


def test_reservations_from_two_processes_never_overshoot_a_budget(peers: Callable[[int], list[Peer]]) -> None:
    first, second = peers(2)
    start_at = time.time() + 1.0
    for peer in (first, second):
        peer.send("reserve_storm", key="key:team:usd", amount=1.0, limit=3000.0, tasks=100, start_at=start_at)
    taken = [first.read(), second.read()]
    assert sum(taken) == 3000, taken
    assert min(taken) > 0, taken  # both reserved while the budget ran out: they raced
    assert first.call("used", key="key:team:usd") == 3000.0
    first.call("settle_all", actual=0.5)  # each request cost less than was reserved
    assert second.call("used", key="key:team:usd") == 3000.0 - 0.5 * taken[0]


def test_a_killed_processes_in_flight_slots_are_reclaimed(peers: Callable[[int], list[Peer]]) -> None:
    doomed, survivor = peers(2)
    assert doomed.call("acquire", account="alice", limit=4, times=3) == 3
    assert survivor.call("in_flight", account="alice") == 3
    doomed.kill()
    # The survivor's refusal looks for dead processes' rows, so no wait is needed.
    assert survivor.call("acquire", account="alice", limit=4, times=4) == 4
    assert survivor.call("in_flight", account="alice") == 4


def test_a_killed_processes_slots_return_without_a_refusal(peers: Callable[[int], list[Peer]]) -> None:
    doomed, survivor = peers(2)
    doomed.call("acquire", account="bob", limit=8, times=2)
    doomed.kill()
    freed, took = within(3.0, lambda: survivor.call("in_flight", account="bob") == 0)
    assert freed, f"still counted after {took:.2f} s"
