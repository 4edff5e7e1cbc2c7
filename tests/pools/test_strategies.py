"""Each strategy's spread over many conversations, each conversation kept on one account.

A conversation is three requests; conversations start in turn and their later requests
interleave with newer conversations' first ones, as a busy gateway sees them.
"""

from __future__ import annotations

from collections import Counter

from dragoman.pools.settings import AccountPolicy, PoolSettings, StrategyName
from dragoman.state import WHOLE_ACCOUNT, Window
from tests.pools.pooled import START, Pooled, accounts

CONVERSATIONS = 100


def pooled(strategy: StrategyName, **policies: AccountPolicy) -> Pooled:
    return Pooled(accounts(5), settings=PoolSettings(strategy=strategy), policies=policies)


def converse(pool: Pooled, conversations: int = CONVERSATIONS) -> dict[str, set[str]]:
    """Every conversation's requests; the accounts each was served by."""
    served: dict[str, set[str]] = {}
    for n in range(conversations):
        for earlier in (n - 2, n - 1, n):  # the third, second and first request of three
            if earlier >= 0:
                session = f"conversation-{earlier}"
                served.setdefault(session, set()).add(pool.serve(session=session))
    for late in (conversations - 2, conversations - 1):
        served[f"conversation-{late}"].add(pool.serve(session=f"conversation-{late}"))
    return served


def spread(served: dict[str, set[str]]) -> Counter[str]:
    assert all(len(accounts) == 1 for accounts in served.values()), "a conversation moved"
    return Counter(next(iter(accounts)) for accounts in served.values())


def test_fill_first_puts_everything_on_the_first_account_until_it_is_blocked() -> None:
    pool = pooled("fill-first")
    assert spread(converse(pool)) == {"acct-0": CONVERSATIONS}
    pool.state.health.strike("acct-0", WHOLE_ACCOUNT, "quota", "5h window", until=START + 3600)
    assert pool.serve(session="conversation-7") == "acct-1"  # its binding went with acct-0's cooldown
    assert pool.serve(session="new") == "acct-1"


def test_round_robin_spreads_evenly_in_turn() -> None:
    pool = pooled("round-robin")
    served = converse(pool)
    assert spread(served) == {f"acct-{n}": 20 for n in range(5)}
    assert [next(iter(served[f"conversation-{n}"])) for n in range(6)] == [
        "acct-0", "acct-1", "acct-2", "acct-3", "acct-4", "acct-0",
    ]  # fmt: skip


def test_round_robin_skips_an_account_that_is_out() -> None:
    pool = pooled("round-robin", **{"acct-2": AccountPolicy(enabled=False)})
    assert spread(converse(pool)) == {"acct-0": 25, "acct-1": 25, "acct-3": 25, "acct-4": 25}


def test_weighted_spreads_by_weight_interleaved() -> None:
    weights = {"acct-0": 1, "acct-1": 2, "acct-2": 3, "acct-3": 4, "acct-4": 10}
    pool = pooled("weighted", **{name: AccountPolicy(weight=w) for name, w in weights.items()})
    served = converse(pool)
    assert spread(served) == {name: 5 * weight for name, weight in weights.items()}
    firsts = "".join(next(iter(served[f"conversation-{n}"]))[-1] for n in range(20))
    assert firsts.count("4") == 10
    assert "444" not in firsts, f"runs of the heaviest account, not interleaved: {firsts}"


async def test_least_used_spreads_concurrent_conversations_by_in_flight() -> None:
    pool = pooled("least-used")
    held = Counter[str]()
    for n in range(CONVERSATIONS):  # all open at once: each holds its slot
        choice = pool.choose(session=f"conversation-{n}")
        first = choice.candidates[0]
        assert await pool.selector.acquire(choice, first)
        pool.selector.on_success(first, "m", session=f"conversation-{n}")
        held[first.account] += 1
    assert held == {f"acct-{n}": 20 for n in range(5)}
    assert pool.order(session="conversation-42")[0] == pool.state.bindings.get("conversation-42", "m")


def test_least_used_breaks_in_flight_ties_by_the_least_used_window() -> None:
    pool = pooled("least-used")
    for n, used in enumerate((50.0, 10.0, 30.0, 10.0, 90.0)):
        pool.state.windows.observe(Window(f"acct-{n}", WHOLE_ACCOUNT, "5h", used, 18_000, START + 600, START))
    assert pool.order() == ["acct-1", "acct-3", "acct-2", "acct-0", "acct-4"]


def test_headroom_prefers_the_most_left_then_the_earliest_reset() -> None:
    pool = pooled("headroom")
    windows = {  # account: (used, resets in)
        "acct-0": (60.0, 600),
        "acct-1": (20.0, 7200),
        "acct-2": (20.0, 1800),
        "acct-3": (90.0, 60),
    }
    for account, (used, resets) in windows.items():
        pool.state.windows.observe(Window(account, WHOLE_ACCOUNT, "5h", used, 18_000, START + resets, START))
    # acct-4 reported nothing: all of it is left, and it comes first.
    assert pool.order() == ["acct-4", "acct-2", "acct-1", "acct-0", "acct-3"]


def test_headroom_follows_usage_as_it_is_reported() -> None:
    pool = Pooled(accounts(2), settings=PoolSettings(strategy="headroom"))
    for used0, used1, first in ((10.0, 20.0, "acct-0"), (30.0, 20.0, "acct-1"), (30.0, 40.0, "acct-0")):
        pool.state.windows.observe(
            Window("acct-0", WHOLE_ACCOUNT, "5h", used0, 0, START + 600, pool.clock.now)
        )
        pool.state.windows.observe(
            Window("acct-1", WHOLE_ACCOUNT, "5h", used1, 0, START + 600, pool.clock.now)
        )
        pool.clock.advance(1)
        assert pool.order()[0] == first


def test_a_strategy_per_model_overrides_the_global_one() -> None:
    settings = PoolSettings.model_validate(
        {"strategy": "fill-first", "models": {"n*": {"strategy": "round-robin"}}}
    )
    pool = Pooled(accounts(3), models=["m", "n1"], settings=settings)
    assert {pool.serve("m") for _ in range(6)} == {"acct-0"}
    assert [pool.serve("n1") for _ in range(3)] == ["acct-0", "acct-1", "acct-2"]
