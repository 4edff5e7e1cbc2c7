"""What answers do to accounts and bindings, judged as the relay will judge them:
cooldowns at the right scope and length, the jitter, a burst escalating once, the
windows kept, and bindings dropped when their account fails."""

from __future__ import annotations

import random

from dragoman.pools.outcomes import Outcome
from dragoman.pools.reading import NOTHING, Reading, UsageWindow
from dragoman.state import WHOLE_ACCOUNT, Cooldown
from tests.pools.pooled import START, Pooled, accounts

FABLE, OPUS = "claude-fable-5", "claude-opus-4-5"


def only_cooldown(pooled: Pooled, account: str) -> Cooldown:
    [record] = pooled.state.health.cooldowns(account)
    return record


def test_a_429_with_a_reset_cools_the_account_until_it() -> None:
    pooled = Pooled(accounts(2))
    decision = pooled.fail("acct-0", 429, reading=Reading(reset_at=START + 600))
    assert decision.fail_over
    record = only_cooldown(pooled, "acct-0")
    assert (record.scope, record.kind, record.until) == (WHOLE_ACCOUNT, "quota", START + 600)
    assert pooled.order() == ["acct-1"]


def test_the_jitter_on_a_reset_is_bounded_and_follows_its_seed() -> None:
    def untils(jitter: random.Random | None, draw: float = 0.0) -> list[float]:
        uniform = jitter.uniform if jitter else (lambda low, high: draw)
        pooled = Pooled(accounts(1), jitter=uniform)
        found = []
        for _ in range(50):
            pooled.fail("acct-0", 429, reading=Reading(reset_at=pooled.clock.now + 600))
            found.append(only_cooldown(pooled, "acct-0").until - (pooled.clock.now + 600))
            pooled.state.health.reset("acct-0")
            pooled.clock.advance(1)
        return found

    seeded = untils(random.Random(7))
    assert all(0.0 <= grace <= 30.0 for grace in seeded)
    assert len(set(seeded)) > 40, "not spread"
    assert untils(random.Random(7)) == seeded
    assert untils(random.Random(8)) != seeded
    assert set(untils(None, draw=1000.0)) == {30.0}
    assert set(untils(None, draw=-5.0)) == {0.0}


def test_a_burst_of_429s_without_a_reset_escalates_once() -> None:
    pooled = Pooled(accounts(2))
    in_flight = [pooled.candidate("acct-0") for _ in range(5)]  # chosen before the first failure
    for candidate in in_flight:
        pooled.selector.judge(candidate, "m", Outcome("openai_compatible", 429), NOTHING)
        pooled.clock.advance(0.1)
    record = only_cooldown(pooled, "acct-0")
    assert (record.level, record.until) == (0, START + 1)
    pooled.clock.advance(1)
    for _ in range(5):  # the next wave, after the first cooldown ended
        pooled.fail("acct-0", 429)
    record = only_cooldown(pooled, "acct-0")
    assert (record.level, record.until) == (1, pooled.clock.now + 2)


def test_a_success_forgets_the_ladder() -> None:
    pooled = Pooled(accounts(1))
    for _ in range(3):
        pooled.fail("acct-0", 429)
        pooled.clock.advance(10)
    assert only_cooldown(pooled, "acct-0").level == 2
    pooled.serve()
    assert pooled.state.health.cooldowns("acct-0") == ()
    pooled.fail("acct-0", 429)
    assert only_cooldown(pooled, "acct-0").until == pooled.clock.now + 1


def test_a_family_only_rejection_leaves_other_families_served() -> None:
    pooled = Pooled(accounts(2), models=[FABLE, OPUS])
    weekly = UsageWindow("7d_oi", "fable", 604_800, 1.0, START + 86_400, rejected=True)
    reading = Reading((weekly,), reset_at=START + 86_400, family="fable", exhausted=True)
    pooled.fail("acct-0", 429, model=FABLE, reading=reading)
    assert only_cooldown(pooled, "acct-0").scope == "fable"
    assert pooled.order(FABLE) == ["acct-1"]
    assert pooled.order(OPUS) == ["acct-0", "acct-1"]


def test_a_family_a_model_name_does_not_tell_is_learned_from_the_answer() -> None:
    pooled = Pooled(accounts(2), models=["gpt-5-codex", "gpt-5"])
    reading = Reading(reset_at=START + 3600, family="bengalfox", exhausted=True)
    pooled.fail("acct-0", 429, model="gpt-5-codex", reading=reading)
    assert pooled.order("gpt-5-codex") == ["acct-1"]
    assert pooled.order("gpt-5") == ["acct-0", "acct-1"]


def test_the_windows_of_every_answer_are_kept() -> None:
    pooled = Pooled(accounts(2))
    five_hours = UsageWindow("5h", None, 18_000, 0.42, START + 3600, rejected=False)
    decision = pooled.fail("acct-0", 200, reading=Reading((five_hours,)))
    assert decision.action == "keep"
    [window] = pooled.state.windows.of("acct-0")
    assert (window.name, window.used_percent, window.resets_at) == ("5h", 42.0, START + 3600)


def test_a_success_that_reports_an_exhausted_window_cools_before_the_429_comes() -> None:
    pooled = Pooled(accounts(2))
    full = UsageWindow("5h", None, 18_000, 1.0, START + 900, rejected=True)
    pooled.fail("acct-0", 200, reading=Reading((full,), reset_at=START + 900, exhausted=True))
    assert only_cooldown(pooled, "acct-0").until == START + 900
    assert pooled.order() == ["acct-1"]


def test_an_account_wide_failure_drops_every_binding_to_the_account() -> None:
    pooled = Pooled(accounts(2), models=["m", "n"])
    for session, model in (("a", "m"), ("b", "m"), ("c", "n")):
        pooled.state.bindings.bind(session, model, "acct-0", ttl=600)
    pooled.state.bindings.bind("d", "m", "acct-1", ttl=600)
    pooled.fail("acct-0", 500, session="a")
    assert only_cooldown(pooled, "acct-0").kind == "transient"
    assert [(b.session, b.account) for b in pooled.state.bindings.all()] == [("d", "acct-1")]


def test_a_narrower_failure_drops_only_the_session_s_binding() -> None:
    pooled = Pooled(accounts(2), models=["m", "n"])
    pooled.state.bindings.bind("a", "m", "acct-0", ttl=600)
    pooled.state.bindings.bind("a", "n", "acct-0", ttl=600)
    pooled.fail("acct-0", 404, session="a")
    assert only_cooldown(pooled, "acct-0").kind == "model_off"
    assert pooled.state.bindings.get("a", "m") is None
    assert pooled.state.bindings.get("a", "n") == "acct-0"
    assert pooled.order("n", session="a") == ["acct-0", "acct-1"]


def test_a_401_asks_for_a_refresh_then_a_second_one_makes_the_account_unhealthy() -> None:
    pooled = Pooled(accounts(2))
    pooled.state.bindings.bind("s", "m", "acct-0", ttl=600)
    assert pooled.fail("acct-0", 401, session="s").action == "refresh"
    assert pooled.state.health.cooldowns("acct-0") == ()
    assert pooled.state.bindings.get("s", "m") == "acct-0"
    assert pooled.fail("acct-0", 401, session="s", refreshed=True).action == "unhealthy"
    assert only_cooldown(pooled, "acct-0").kind == "unhealthy"
    assert pooled.state.bindings.get("s", "m") is None


def test_an_error_in_the_request_itself_cools_nothing() -> None:
    pooled = Pooled(accounts(2))
    pooled.state.bindings.bind("s", "m", "acct-0", ttl=600)
    body = {"error": {"type": "invalid_request_error", "message": "prompt is too long: 300000 tokens"}}
    decision = pooled.fail("acct-0", 400, body=body, session="s")
    assert (decision.action, decision.fail_over) == ("pass", False)
    assert pooled.state.health.cooldowns("acct-0") == ()
    assert pooled.order(session="s") == ["acct-0", "acct-1"]


def test_on_failure_applies_a_decision_made_elsewhere() -> None:
    pooled = Pooled(accounts(2))
    judged = Pooled(accounts(2)).fail("acct-0", 403, body={"error": {"message": "account suspended"}})
    pooled.selector.on_failure(pooled.candidate("acct-0"), "m", judged)
    record = only_cooldown(pooled, "acct-0")
    assert (record.kind, record.reason) == ("unhealthy", "403 forbidden: account suspended")


def test_a_failure_becomes_the_account_s_last_error_and_a_success_does_not() -> None:
    pooled = Pooled(accounts(2))
    body = {
        "error": {"type": "rate_limit_error", "message": "key sk-ant-api03-abcdefghijklmnopqrstuvwx spent"}
    }
    pooled.fail("acct-0", 429, body=body, reading=Reading(reset_at=START + 600))
    error = pooled.state.health.last_error("acct-0")
    assert error is not None and (error.account, error.status, error.at) == ("acct-0", 429, START)
    assert error.message.startswith("429 ") and "sk-ant-api03-abcdefghijklmnopqrstuvwx" not in error.message
    pooled.clock.advance(5)
    pooled.selector.judge(pooled.candidate("acct-0"), "m", Outcome("openai_compatible", 200), NOTHING)
    assert pooled.state.health.last_error("acct-0") == error
    pooled.selector.judge(pooled.candidate("acct-1"), "m", Outcome("openai_compatible", None), NOTHING)
    unreachable = pooled.state.health.last_error("acct-1")
    assert unreachable is not None and unreachable.status is None and unreachable.at == START + 5
