"""Eligibility, before any strategy: every reason an account is out, and only then."""

from __future__ import annotations

import pytest

from dragoman.pools.eligibility import tightest
from dragoman.pools.exclusion import Exclusion
from dragoman.pools.members import model_scope
from dragoman.pools.settings import AccountPolicy, PoolSettings
from dragoman.state import UNTIL_RESET, WHOLE_ACCOUNT, Window
from tests.pools.pooled import START, Pooled, accounts

FABLE, OPUS = "claude-fable-5", "claude-opus-4-5"


def window(
    account: str, used: float, name: str = "5h", family: str = WHOLE_ACCOUNT, resets: float = 3600
) -> Window:
    return Window(account, family, name, used, 18_000, START + resets, START)


def test_every_account_is_eligible_when_nothing_is_known() -> None:
    pooled = Pooled(accounts(3))
    choice = pooled.choose()
    assert [c.account for c in choice.candidates] == ["acct-0", "acct-1", "acct-2"]
    assert choice.excluded == []


def test_a_disabled_account_is_out() -> None:
    pooled = Pooled(accounts(3), policies={"acct-0": AccountPolicy(enabled=False)})
    choice = pooled.choose()
    assert [c.account for c in choice.candidates] == ["acct-1", "acct-2"]
    assert choice.excluded == [Exclusion("acct-0", "disabled")]


def test_an_account_cooling_as_a_whole_is_out_for_every_model() -> None:
    pooled = Pooled(accounts(2), models=[FABLE, OPUS])
    pooled.state.health.strike("acct-0", WHOLE_ACCOUNT, "quota", "429 rate_limited", until=START + 60)
    for model in (FABLE, OPUS):
        choice = pooled.choose(model)
        assert [c.account for c in choice.candidates] == ["acct-1"]
        assert choice.excluded == [Exclusion("acct-0", "cooling", START + 60, "429 rate_limited")]


def test_a_family_cooldown_keeps_the_account_for_other_families() -> None:
    pooled = Pooled(accounts(2), models=[FABLE, OPUS])
    pooled.state.health.strike("acct-0", "fable", "quota", "7d_oi rejected", until=START + 86_400)
    assert pooled.order(FABLE) == ["acct-1"]
    assert pooled.order(OPUS) == ["acct-0", "acct-1"]


def test_a_model_cooldown_keeps_the_account_for_other_models() -> None:
    pooled = Pooled(accounts(2), models=["m", "n"])
    pooled.state.health.strike(
        "acct-0", model_scope("m"), "model_off", "404 model_not_found", until=START + 600
    )
    assert pooled.order("m") == ["acct-1"]
    assert pooled.choose("m").excluded[0].why == "model_off"
    assert pooled.order("n") == ["acct-0", "acct-1"]


def test_an_unhealthy_account_is_out_with_no_end_in_sight() -> None:
    pooled = Pooled(accounts(2))
    pooled.state.health.strike("acct-0", WHOLE_ACCOUNT, "unhealthy", "403 forbidden: suspended")
    [out] = pooled.choose().excluded
    assert (out.why, out.until, out.detail) == ("unhealthy", None, "403 forbidden: suspended")
    pooled.clock.advance(365 * 86_400)
    assert pooled.order() == ["acct-1"]
    assert pooled.state.health.cooldowns("acct-0")[0].until == UNTIL_RESET


def test_a_cooldown_ends_on_time() -> None:
    pooled = Pooled(accounts(2))
    pooled.state.health.strike("acct-0", WHOLE_ACCOUNT, "transient", "502", until=START + 15)
    pooled.clock.advance(14.9)
    assert pooled.order() == ["acct-1"]
    pooled.clock.advance(0.1)
    assert pooled.order() == ["acct-0", "acct-1"]


async def test_an_account_at_max_concurrent_is_out_until_a_slot_frees() -> None:
    pooled = Pooled(accounts(2), policies={"acct-0": AccountPolicy(max_concurrent=2)})
    assert await pooled.state.in_flight.acquire("acct-0", 2)
    assert pooled.order() == ["acct-0", "acct-1"]
    assert await pooled.state.in_flight.acquire("acct-0", 2)
    choice = pooled.choose()
    assert [c.account for c in choice.candidates] == ["acct-1"]
    assert choice.excluded == [Exclusion("acct-0", "busy", START + 1, amount=2)]
    pooled.state.in_flight.release("acct-0")
    assert pooled.order() == ["acct-0", "acct-1"]


@pytest.mark.parametrize(("used", "eligible"), [(94.9, True), (95.0, False), (100.0, False)])
def test_a_window_at_the_reserve_takes_the_account_out(used: float, eligible: bool) -> None:
    pooled = Pooled(accounts(2), settings=PoolSettings(quota_reserve_percent=95))
    pooled.state.windows.observe(window("acct-0", 20.0, "7d", resets=86_400))
    pooled.state.windows.observe(window("acct-0", used, "5h"))
    choice = pooled.choose()
    assert ("acct-0" in [c.account for c in choice.candidates]) is eligible
    if not eligible:
        assert choice.excluded == [Exclusion("acct-0", "quota", START + 3600, "5h", used)]


def test_a_key_guard_takes_an_account_out_earlier_for_that_key_only() -> None:
    pooled = Pooled(accounts(2), settings=PoolSettings(quota_reserve_percent=95))
    pooled.state.windows.observe(window("acct-0", 85.0, "5h"))
    routes = pooled.routes()
    guarded = pooled.selector.choose("m", routes, guard=80)
    assert [c.account for c in guarded.candidates] == ["acct-1"]
    assert guarded.excluded == [Exclusion("acct-0", "quota", START + 3600, "5h", 85.0)]
    assert "reserve 80%" in pooled.selector.refusal(guarded).message
    assert pooled.order() == ["acct-0", "acct-1"]  # other keys: the pools' 95%
    # A key's guard never lets an account past the pools' own reserve.
    pooled.state.windows.observe(window("acct-1", 96.0, "5h"))
    assert [c.account for c in pooled.selector.choose("m", routes, guard=99).candidates] == ["acct-0"]


def test_a_full_window_frees_the_account_when_it_resets() -> None:
    pooled = Pooled(accounts(2))
    pooled.state.windows.observe(window("acct-0", 100.0, resets=600))
    assert pooled.order() == ["acct-1"]
    pooled.clock.advance(600)
    assert pooled.order() == ["acct-0", "acct-1"]


def test_a_family_window_limits_only_that_family() -> None:
    pooled = Pooled(accounts(2), models=[FABLE, OPUS])
    pooled.state.windows.observe(window("acct-0", 100.0, "7d_oi", family="fable", resets=86_400))
    assert pooled.order(FABLE) == ["acct-1"]
    assert pooled.order(OPUS) == ["acct-0", "acct-1"]


def test_the_continuation_owner_is_the_only_account_allowed() -> None:
    pooled = Pooled(accounts(3))
    choice = pooled.choose(owner="acct-2")
    assert [(c.account, c.reason) for c in choice.candidates] == [("acct-2", "continuation")]
    assert choice.excluded == [Exclusion(name, "owned", detail="acct-2") for name in ("acct-0", "acct-1")]


def test_an_owner_out_of_use_leaves_no_candidate() -> None:
    pooled = Pooled(accounts(2))
    pooled.state.health.strike("acct-1", WHOLE_ACCOUNT, "quota", "429", until=START + 30)
    choice = pooled.choose(owner="acct-1")
    assert choice.candidates == []
    assert [e.why for e in choice.excluded] == ["owned", "cooling"]


def test_the_tightest_window_is_the_most_used_then_the_first_to_reset() -> None:
    windows = [
        window("a", 40.0, "5h", resets=600),
        window("a", 70.0, "7d", resets=86_400),
        window("a", 70.0, "30d", resets=40_000),
        window("a", 99.0, "7d_oi", family="fable", resets=100),
        window("a", 100.0, "old", resets=-1),  # reset already
    ]
    assert tightest(windows, "", START).name == "30d"  # type: ignore[union-attr]
    assert tightest(windows, "fable", START).name == "7d_oi"  # type: ignore[union-attr]
    assert tightest(windows[-1:], "", START) is None


def test_an_owner_outside_the_pool_leaves_no_candidate_and_no_wait() -> None:
    pooled = Pooled(accounts(2))
    choice = pooled.choose(owner="elsewhere")
    assert choice.candidates == []
    assert {e.why for e in choice.excluded} == {"owned"}
    assert pooled.selector.refusal(choice).retry_after is None
