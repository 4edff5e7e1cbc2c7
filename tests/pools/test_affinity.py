"""A session is never pinned to a slow account: first-byte times per account, strikes
per binding, the binding released after enough slow requests in a row."""

from __future__ import annotations

import pytest

from dragoman.pools.affinity import Latency, bounded_put
from tests.pools.pooled import Pooled, accounts


def warmed(count: int = 3, others: float = 0.5) -> Pooled:
    """A fill-first pool whose accounts but the first have answered in `others` seconds."""
    pooled = Pooled(accounts(count))
    for account in accounts(count)[1:]:
        pooled.selector.on_success(pooled.candidate(account), "m", ttfb=others)
    return pooled


def test_a_binding_slow_three_times_in_a_row_is_released_and_the_session_moves() -> None:
    pooled = warmed()
    assert pooled.serve(session="s", ttfb=5.0) == "acct-0"
    assert pooled.serve(session="s", ttfb=5.0) == "acct-0"
    assert pooled.state.bindings.get("s", "m") == "acct-0"
    assert pooled.serve(session="s", ttfb=5.0) == "acct-0"
    assert pooled.state.bindings.get("s", "m") is None
    assert pooled.order(session="s") == ["acct-1", "acct-2", "acct-0"]  # the slow one last


def test_the_released_session_rebinds_where_it_goes_next() -> None:
    pooled = warmed()
    for _ in range(3):
        pooled.serve(session="s", ttfb=5.0)
    choice = pooled.choose(session="s")
    first = choice.candidates[0]
    pooled.selector.on_success(first, "m", session="s", ttfb=0.6)
    assert pooled.state.bindings.get("s", "m") == "acct-1"
    assert pooled.order(session="s")[0] == "acct-1"


def test_slow_requests_count_only_in_a_row() -> None:
    pooled = warmed()
    for ttfb in (5.0, 5.0, 0.4, 5.0, 5.0):
        assert pooled.serve(session="s", ttfb=ttfb) == "acct-0"
    assert pooled.state.bindings.get("s", "m") == "acct-0"


@pytest.mark.parametrize(
    ("others", "ttfb", "why"),
    [
        (0.2, 1.9, "under the 2 s floor, though ten times the pool"),
        (3.0, 5.9, "under twice the pool's median"),
    ],
)
def test_not_slow_enough(others: float, ttfb: float, why: str) -> None:
    pooled = warmed(others=others)
    for _ in range(5):
        pooled.serve(session="s", ttfb=ttfb)
    assert pooled.state.bindings.get("s", "m") == "acct-0", why


def test_a_pool_of_one_has_nothing_to_compare_with() -> None:
    pooled = Pooled(accounts(1))
    for _ in range(5):
        pooled.serve(session="s", ttfb=30.0)
    assert pooled.state.bindings.get("s", "m") == "acct-0"


def test_the_average_follows_new_samples_by_the_smoothing() -> None:
    latency = Latency(0.5)
    latency.record("a", 1.0)
    latency.record("a", 3.0)
    latency.record("b", 10.0)
    latency.record("c", 4.0)
    assert latency.of("a") == 2.0
    assert latency.baseline(["a", "b", "c"], excluding="b") == 3.0
    assert latency.baseline(["a"], excluding="a") is None


def test_bounded_tables_drop_their_oldest_entry() -> None:
    table: dict[str, int] = {}
    for n in range(5):
        bounded_put(table, f"k{n}", n, limit=3)
    bounded_put(table, "k3", 30, limit=3)
    assert table == {"k2": 2, "k3": 30, "k4": 4}
