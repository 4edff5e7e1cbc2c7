"""The order a choice hands the relay: tiers, bindings, the continuation owner, and the
in-flight slot taken after choosing."""

from __future__ import annotations

from dragoman.pools.exclusion import Exclusion
from dragoman.pools.settings import AccountPolicy, PoolSettings
from dragoman.state import WHOLE_ACCOUNT
from tests.pools.pooled import START, Pooled, accounts

TIERED = {
    "acct-0": AccountPolicy(priority=2),
    "acct-1": AccountPolicy(priority=1),
    "acct-2": AccountPolicy(priority=1),
    "acct-3": AccountPolicy(priority=3),
}


def tiered(strategy: str = "round-robin") -> Pooled:
    return Pooled(accounts(4), settings=PoolSettings.model_validate({"strategy": strategy}), policies=TIERED)


def cool(pooled: Pooled, account: str, seconds: float = 60) -> None:
    pooled.state.health.strike(account, WHOLE_ACCOUNT, "quota", "429", until=pooled.clock.now + seconds)


def test_the_best_tier_takes_the_requests_and_the_lower_tiers_follow_in_order() -> None:
    pooled = tiered()
    firsts = [pooled.serve() for _ in range(4)]
    assert firsts == ["acct-1", "acct-2", "acct-1", "acct-2"]
    choice = pooled.choose()
    assert [(c.account, c.reason) for c in choice.candidates] == [
        ("acct-1", "strategy=round-robin"),
        ("acct-2", "strategy=round-robin"),
        ("acct-0", "priority 2 (round-robin)"),
        ("acct-3", "priority 3 (round-robin)"),
    ]


def test_a_lower_tier_serves_only_while_every_better_account_is_out() -> None:
    pooled = tiered()
    cool(pooled, "acct-1", 60)
    cool(pooled, "acct-2", 120)
    assert pooled.order() == ["acct-0", "acct-3"]
    cool(pooled, "acct-0", 30)
    assert pooled.order() == ["acct-3"]
    pooled.clock.advance(60)
    assert pooled.order() == ["acct-1", "acct-0", "acct-3"]


def test_a_binding_outranks_the_strategy() -> None:
    pooled = Pooled(accounts(4))  # fill-first would pick acct-0
    pooled.state.bindings.bind("s", "m", "acct-3", ttl=600)
    choice = pooled.choose(session="s")
    assert [(c.account, c.reason) for c in choice.candidates] == [
        ("acct-3", "binding"),
        ("acct-0", "strategy=fill-first"),
        ("acct-1", "strategy=fill-first"),
        ("acct-2", "strategy=fill-first"),
    ]


def test_a_binding_outranks_priority_even_after_a_better_account_recovers() -> None:
    pooled = tiered("fill-first")
    cool(pooled, "acct-1")
    cool(pooled, "acct-2")
    assert pooled.serve(session="s") == "acct-0"
    pooled.clock.advance(61)
    assert [(c.account, c.reason) for c in pooled.choose(session="s").candidates] == [
        ("acct-0", "binding"),
        ("acct-1", "strategy=fill-first"),
        ("acct-2", "strategy=fill-first"),
        ("acct-3", "priority 3 (fill-first)"),
    ]
    assert pooled.serve(session="s") == "acct-0"  # the warm cache stays where it is
    assert pooled.serve(session="other") == "acct-1"


def test_a_binding_does_not_move_the_round_robin_cursor() -> None:
    pooled = Pooled(accounts(3), settings=PoolSettings(strategy="round-robin"))
    assert pooled.serve(session="a") == "acct-0"
    for _ in range(5):
        assert pooled.serve(session="a") == "acct-0"
    assert [pooled.serve(session=s) for s in "bcd"] == ["acct-1", "acct-2", "acct-0"]


def test_a_binding_to_an_account_that_is_out_is_dropped() -> None:
    pooled = Pooled(accounts(3))
    pooled.state.bindings.bind("s", "m", "acct-2", ttl=600)
    cool(pooled, "acct-2")
    choice = pooled.choose(session="s")
    assert [c.account for c in choice.candidates] == ["acct-0", "acct-1"]
    assert choice.dropped == "acct-2"
    assert pooled.state.bindings.get("s", "m") is None


def test_a_binding_to_an_account_no_longer_in_the_pool_is_dropped() -> None:
    pooled = Pooled(accounts(2))
    pooled.state.bindings.bind("s", "m", "gone", ttl=600)
    assert pooled.order(session="s") == ["acct-0", "acct-1"]
    assert pooled.state.bindings.get("s", "m") is None


def test_a_binding_is_per_model() -> None:
    pooled = Pooled(accounts(2), models=["m", "n"])
    pooled.state.bindings.bind("s", "m", "acct-1", ttl=600)
    assert pooled.order("n", session="s") == ["acct-0", "acct-1"]
    assert pooled.order("m", session="s") == ["acct-1", "acct-0"]


def test_a_success_binds_and_renews_for_the_session_ttl() -> None:
    pooled = Pooled(accounts(2), settings=PoolSettings.model_validate({"session_ttl": "10m"}))
    pooled.state.bindings.bind("s", "m", "acct-1", ttl=5)
    assert pooled.serve(session="s") == "acct-1"
    pooled.clock.advance(599)
    assert pooled.serve(session="s") == "acct-1"  # renewed 599 s ago: 1 s left
    pooled.clock.advance(600)
    assert pooled.state.bindings.get("s", "m") is None
    assert pooled.serve(session="s") == "acct-0"


def test_the_continuation_owner_outranks_a_binding_to_another_account() -> None:
    pooled = Pooled(accounts(3))
    pooled.state.bindings.bind("s", "m", "acct-0", ttl=600)
    assert pooled.order(session="s", owner="acct-2") == ["acct-2"]


async def test_a_slot_lost_after_choosing_moves_on_and_is_noted() -> None:
    limited = {name: AccountPolicy(max_concurrent=1) for name in accounts(2)}
    pooled = Pooled(accounts(2), policies=limited)
    choice = pooled.choose()
    first, second = choice.candidates
    assert await pooled.state.in_flight.acquire("acct-0", 1)  # another request got there first
    assert not await pooled.selector.acquire(choice, first)
    assert await pooled.selector.acquire(choice, second)
    assert choice.excluded == [Exclusion("acct-0", "busy", START + 1, amount=1)]
    pooled.selector.release(second)
    assert pooled.state.in_flight.count("acct-1") == 0


def test_new_policies_apply_to_the_next_choice() -> None:
    pooled = Pooled(accounts(3))
    assert pooled.order() == ["acct-0", "acct-1", "acct-2"]
    pooled.selector.configure(
        policies={"acct-0": AccountPolicy(enabled=False), "acct-2": AccountPolicy(priority=0)}
    )
    assert pooled.order() == ["acct-2", "acct-1"]
    pooled.selector.configure(settings=PoolSettings(strategy="round-robin"))
    assert [pooled.serve() for _ in range(2)] == ["acct-2", "acct-2"]  # still the only one in tier 0


def test_a_new_route_list_rebuilds_the_pool() -> None:
    pooled = Pooled(accounts(3))
    routes = pooled.routes()
    assert [c.account for c in pooled.selector.choose("m", routes[1:]).candidates] == ["acct-1", "acct-2"]
    assert [c.account for c in pooled.selector.choose("m", routes).candidates] == [
        "acct-0",
        "acct-1",
        "acct-2",
    ]


def blip(pooled: Pooled, account: str, seconds: float) -> None:
    pooled.state.health.strike(
        account, WHOLE_ACCOUNT, "transient", "timeout", until=pooled.clock.now + seconds
    )


def test_a_transient_cooldown_never_empties_a_pool() -> None:
    pooled = Pooled(accounts(3))
    blip(pooled, "acct-0", 15)
    assert pooled.order() == ["acct-1", "acct-2"], "while others serve, a blipped account waits"
    blip(pooled, "acct-2", 5)
    blip(pooled, "acct-1", 10)
    assert pooled.order() == ["acct-2", "acct-1", "acct-0"], "all blipped: tried anyway, soonest first"
    alone = Pooled(accounts(1))
    blip(alone, "acct-0", 15)
    assert alone.order() == ["acct-0"]


def test_beside_quota_cooldowns_only_the_blipped_accounts_are_tried() -> None:
    pooled = Pooled(accounts(3))
    blip(pooled, "acct-0", 15)
    cool(pooled, "acct-1", 60)
    pooled.state.health.strike("acct-2", WHOLE_ACCOUNT, "unhealthy", "402 payment required")
    assert pooled.order() == ["acct-0"]
    cool(pooled, "acct-0", 60)
    assert pooled.choose().candidates == []
