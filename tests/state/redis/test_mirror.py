"""What one replica learns, the others use within 100 ms: replicas sharing one Redis."""

from __future__ import annotations

import time

from dragoman.state import WHOLE_ACCOUNT, ClientLogin, LastError, Window
from tests.state.redis.conftest import Replicas, within

WEEK = 7 * 86_400
SOON = 0.1  # the bound: a cooldown or binding is used by the others within 100 ms


async def test_a_cooldown_struck_on_one_replica_blocks_the_others_within_100_ms(replicas: Replicas) -> None:
    first, second, third = await replicas(3)
    assert second.health.blocking("alice", "oi") is None
    struck = first.health.strike("alice", "oi", "quota", "7d_oi rejected", until=time.time() + WEEK)
    for other in (second, third):
        seen, took = await within(1.0, lambda other=other: other.health.blocking("alice", "oi"))
        assert seen == struck, f"not seen after {took:.3f} s"
        assert took < SOON, f"seen after {took:.3f} s"
    assert second.health.blocking("alice", "sonnet") is None


async def test_a_binding_and_its_drop_reach_the_others_within_100_ms(replicas: Replicas) -> None:
    first, second = await replicas(2)
    first.bindings.bind("s1", "claude-opus", "alice", ttl=3600)
    bound, took = await within(1.0, lambda: second.bindings.get("s1", "claude-opus"))
    assert bound == "alice" and took < SOON, f"{bound!r} after {took:.3f} s"
    assert second.bindings.count("alice") == 1
    second.bindings.drop_account("alice")
    gone, took = await within(1.0, lambda: first.bindings.get("s1", "claude-opus") is None)
    assert gone and took < SOON, f"still bound after {took:.3f} s"


async def test_a_reset_on_one_replica_clears_the_others(replicas: Replicas) -> None:
    first, second = await replicas(2)
    first.health.strike("alice", WHOLE_ACCOUNT, "unhealthy", "403 suspended")
    assert (await within(1.0, lambda: second.health.blocking("alice")))[0]
    second.health.reset("alice")
    cleared, took = await within(1.0, lambda: first.health.blocking("alice") is None)
    assert cleared, f"still cooling after {took:.3f} s"


async def test_windows_and_last_errors_are_shared_and_the_newer_wins(replicas: Replicas) -> None:
    first, second = await replicas(2)
    now = time.time()
    newer = Window("alice", "", "7d", 97.5, WEEK, now + WEEK, now)
    first.windows.observe(newer)
    second.windows.observe(Window("alice", "", "7d", 10.0, WEEK, now + WEEK, now - 60))  # learned late
    error = LastError("alice", now, 429, "quota", "429 quota: spent")
    first.health.failed(error)
    for replica in (first, second):
        assert (await within(1.0, lambda replica=replica: replica.windows.of("alice") == (newer,)))[0]
        assert (await within(1.0, lambda replica=replica: replica.health.last_error("alice") == error))[0]


async def test_a_client_logins_windows_reach_every_replica_and_the_newer_wins(replicas: Replicas) -> None:
    first, second = await replicas(2)
    now = time.time()
    newer = ClientLogin("sha256:0123456789abcdef", "claude_passthrough", '[{"name":"5h"}]', now)
    first.client_logins.observe(newer)
    second.client_logins.observe(ClientLogin(newer.login, newer.provider, "[]", now - 60))  # learned late
    for replica in (first, second):
        assert (await within(1.0, lambda replica=replica: replica.client_logins.all() == (newer,)))[0]


async def test_a_transient_fault_racing_a_quota_wait_never_shortens_it(replicas: Replicas) -> None:
    first, second = await replicas(2)
    until = time.time() + 9000
    # Both in the same instant: neither replica has heard of the other's yet.
    quota = first.health.strike("alice", WHOLE_ACCOUNT, "quota", "weekly", until=until)
    second.health.strike("alice", WHOLE_ACCOUNT, "transient", "503")
    for replica in (first, second):
        settled, took = await within(1.0, lambda replica=replica: replica.health.blocking("alice") == quota)
        assert settled, f"{replica.health.blocking('alice')} after {took:.3f} s"


async def test_a_replica_started_later_loads_what_the_others_know(replicas: Replicas) -> None:
    (first,) = await replicas(1)
    struck = first.health.strike("alice", "oi", "quota", "weekly", until=time.time() + WEEK)
    first.bindings.bind("s1", "m", "alice", ttl=3600)
    assert (await within(1.0, lambda: first.service.mirror.pending == {}))[0]  # type: ignore[attr-defined]
    (later,) = await replicas(1)
    assert later.health.blocking("alice", "oi") == struck
    assert later.bindings.get("s1", "m") == "alice"
