"""No eligible account: the 429's retry-after is the earliest recovery, exactly, and
its message names every account and why it is out, with no secret in it."""

from __future__ import annotations

import pytest

from dragoman.observe import redact
from dragoman.pools.exclusion import Exclusion
from dragoman.pools.refusal import (
    chain_refusal,
    clock_time,
    failover_reason,
    fallback_reason,
    no_account,
    retry_after,
)
from dragoman.pools.settings import AccountPolicy, PoolSettings
from dragoman.state import WHOLE_ACCOUNT, Window
from tests.pools.pooled import START, Pooled

# START is 2027-01-15 08:00:00 UTC.
NAMES = ["codex-alice", "codex-bob", "codex-carol", "codex-dave", "codex-erin"]


async def everyone_out(pooled: Pooled) -> None:
    health = pooled.state.health
    health.strike("codex-alice", WHOLE_ACCOUNT, "quota", "429 usage_limit_reached", until=START + 3900)
    assert await pooled.state.in_flight.acquire("codex-bob", 2)
    assert await pooled.state.in_flight.acquire("codex-bob", 2)
    pooled.state.windows.observe(
        Window("codex-carol", WHOLE_ACCOUNT, "5h", 97.0, 18_000, START + 7200, START)
    )
    health.strike("codex-erin", WHOLE_ACCOUNT, "unhealthy", "403 forbidden: account suspended")


def pool(**extra: AccountPolicy) -> Pooled:
    policies = {"codex-bob": AccountPolicy(max_concurrent=2), "codex-dave": AccountPolicy(enabled=False)}
    return Pooled(NAMES, settings=PoolSettings(quota_reserve_percent=95), policies={**policies, **extra})


async def test_the_message_names_every_account_and_why() -> None:
    pooled = pool()
    await everyone_out(pooled)
    choice = pooled.choose()
    assert choice.candidates == []
    refusal = pooled.selector.refusal(choice)
    assert refusal.message == (
        "no account can serve m now: "
        "codex-alice: cooling until 09:05 UTC (429 usage_limit_reached); "
        "codex-bob: at max_concurrent 2; "
        "codex-carol: 5h window 97% used (reserve 95%), resets 10:00 UTC; "
        "codex-dave: disabled; "
        "codex-erin: unhealthy until reset (403 forbidden: account suspended)"
    )
    assert refusal.retry_after == 1  # a slot on codex-bob may free any moment


async def test_retry_after_is_the_earliest_recovery_in_whole_seconds() -> None:
    pooled = pool(**{"codex-bob": AccountPolicy(enabled=False)})
    await everyone_out(pooled)
    assert pooled.selector.refusal(pooled.choose()).retry_after == 3900
    pooled.clock.advance(0.25)
    assert pooled.selector.refusal(pooled.choose()).retry_after == 3900  # 3899.75, rounded up
    pooled.clock.advance(3899.75 - 1)
    assert pooled.selector.refusal(pooled.choose()).retry_after == 1
    pooled.clock.advance(1)
    assert pooled.order() == ["codex-alice"]


def test_no_retry_after_when_waiting_brings_nothing_back() -> None:
    pooled = Pooled(NAMES[:2], policies={"codex-alice": AccountPolicy(enabled=False)})
    pooled.state.health.strike("codex-bob", WHOLE_ACCOUNT, "unhealthy", "402 payment_required")
    assert pooled.selector.refusal(pooled.choose()).retry_after is None


def test_a_continuation_owner_out_of_use_sets_the_wait() -> None:
    pooled = Pooled(NAMES[:3])
    pooled.state.health.strike("codex-bob", WHOLE_ACCOUNT, "transient", "502 server_error", until=START + 15)
    refusal = pooled.selector.refusal(pooled.choose(owner="codex-bob"))
    assert refusal.retry_after == 15
    assert "codex-alice: the conversation's state belongs to codex-bob" in refusal.message
    assert "codex-bob: cooling until 08:00:15 UTC (502 server_error)" in refusal.message


def test_no_secret_reaches_the_message() -> None:
    secret = "registered-token-0123456789"
    redact.register([secret])
    pooled = Pooled(NAMES[:1])
    reason = f"401 unauthorized: token {secret} and key sk-abcdefghijklmnopqrstuv rejected"
    pooled.state.health.strike("codex-alice", WHOLE_ACCOUNT, "unhealthy", reason)
    message = pooled.selector.refusal(pooled.choose()).message
    assert secret not in message and "sk-abcdefghijklmnop" not in message
    assert "codex-alice: unhealthy until reset (401 unauthorized: token *** and key *** rejected)" in message


def test_a_long_reason_is_cut() -> None:
    pooled = Pooled(NAMES[:1])
    pooled.state.health.strike(
        "codex-alice", WHOLE_ACCOUNT, "quota", "429 " + "word " * 100, until=START + 60
    )
    message = pooled.selector.refusal(pooled.choose()).message
    assert len(message) < 200 and message.endswith("…)")


@pytest.mark.parametrize(
    ("at", "shown"),
    [
        (START + 45, "08:00:45 UTC"),
        (START + 3900, "09:05 UTC"),
        (START + 86_400 * 6, "2027-01-21 08:00 UTC"),
        (float("inf"), "reset"),
    ],
)
def test_times_are_shown_in_utc_with_the_date_when_not_today(at: float, shown: str) -> None:
    assert clock_time(at, START) == shown


def test_retry_after_of_nothing_out_is_none() -> None:
    assert retry_after([Exclusion("a", "disabled")], START) is None
    assert retry_after([Exclusion("a", "cooling", START + 0.2)], START) == 1


def test_failover_reason() -> None:
    assert failover_reason("codex-alice", "429 usage_limit_reached") == (
        "failover from codex-alice because 429 usage_limit_reached"
    )


def test_a_chain_refusal_names_each_model_and_waits_for_the_earliest() -> None:
    gpt = no_account(
        "gpt-5.5", [Exclusion("codex-alice", "cooling", START + 900, "429 usage_limit_reached")], START, 95
    )
    claude = no_account(
        "claude-sonnet-4-5", [Exclusion("claude-bob", "cooling", START + 300, "429")], START, 95
    )
    gemini = no_account("gemini-2.5-pro", [Exclusion("gem", "disabled")], START, 95)
    refusal = chain_refusal([gpt, claude, gemini])
    assert refusal.retry_after == 300
    assert refusal.model == "gpt-5.5"
    assert refusal.message == (
        "no account can serve gpt-5.5 or its fallbacks now: "
        "gpt-5.5: codex-alice: cooling until 08:15 UTC (429 usage_limit_reached) | "
        "claude-sonnet-4-5: claude-bob: cooling until 08:05 UTC (429) | gemini-2.5-pro: gem: disabled"
    )
    assert chain_refusal([gpt]) is gpt
    assert fallback_reason("gpt-5.5", "503") == "fallback from gpt-5.5 because 503"
