"""What one worker learns, the others honour: two real processes on one home."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.state.host.conftest import Peer, within

WEEK = 7 * 86_400


def test_a_cooldown_set_in_one_process_is_seen_in_the_other_within_a_second(
    peers: Callable[[int], list[Peer]],
) -> None:
    first, second = peers(2)
    assert second.call("blocking", account="alice", scope="oi") is None
    until = first.call("strike", account="alice", scope="oi", until=time.time() + WEEK)
    seen, took = within(1.0, lambda: second.call("blocking", account="alice", scope="oi"))
    assert seen == until, f"not seen after {took:.2f} s"
    assert second.call("blocking", account="alice", scope="sonnet") is None


def test_a_reset_in_one_process_clears_the_other(peers: Callable[[int], list[Peer]]) -> None:
    first, second = peers(2)
    first.call("strike", account="alice", scope="", until=time.time() + WEEK)
    assert within(1.0, lambda: second.call("blocking", account="alice", scope=""))[0]
    second.call("reset", account="alice")
    cleared, took = within(1.0, lambda: first.call("blocking", account="alice", scope="") is None)
    assert cleared, f"still cooling after {took:.2f} s"


def test_windows_and_bindings_are_shared(peers: Callable[[int], list[Peer]]) -> None:
    first, second = peers(2)
    resets = time.time() + WEEK
    first.call("observe", account="alice", name="7d", used=97.5, resets_at=resets, at=time.time())
    first.call("bind", session="s1", account="alice")
    seen, took = within(1.0, lambda: second.call("windows", account="alice"))
    assert seen == [["7d", 97.5, resets]], f"after {took:.2f} s"
    assert within(1.0, lambda: second.call("bound", session="s1"))[0] == "alice"


def test_a_client_logins_windows_are_shared_and_outlive_a_restart(peers: Callable[[int], list[Peer]]) -> None:
    """`--workers`: the worker that served a passthrough login is not the one asked for
    `/v1/status`; each answers with every login's windows."""
    first, second = peers(2)
    at = time.time()
    windows = '[{"name":"5h","status":"allowed_warning","used_percent":91.0}]'
    first.call("saw_login", login="sha256:0123456789abcdef", windows=windows, at=at)
    seen, took = within(1.0, lambda: second.call("logins"))
    assert seen == [["sha256:0123456789abcdef", windows, at]], f"after {took:.2f} s"
    first.stop()
    second.stop()
    (again,) = peers(1)
    assert again.call("logins") == [["sha256:0123456789abcdef", windows, at]]


def test_the_feed_reaches_a_subscriber_in_another_process(peers: Callable[[int], list[Peer]]) -> None:
    publisher, listener = peers(2)
    listener.send("listen", count=3, seconds=5.0)
    assert listener.read() == "listening"
    publisher.call("pause", seconds=0.4)  # its next scan finds the listener
    records = [{"id": n, "model": "gpt-5.5"} for n in range(3)]
    publisher.call("publish", records=records)
    assert listener.read(6.0) == records


def test_a_last_error_is_shared_and_outlives_a_restart(peers: Callable[[int], list[Peer]]) -> None:
    first, second = peers(2)
    at = time.time()
    first.call("fail", account="alice", status=429, message="429 quota: spent", at=at)
    seen, took = within(1.0, lambda: second.call("last_error", account="alice"))
    assert seen == [429, "429 quota: spent", at], f"after {took:.2f} s"
    second.call("fail", account="alice", status=None, message="no answer transient", at=at - 5)
    first.stop()
    second.stop()
    (restarted,) = peers(1)
    assert restarted.call("last_error", account="alice") == [
        429,
        "429 quota: spent",
        at,
    ]  # the older was ignored
