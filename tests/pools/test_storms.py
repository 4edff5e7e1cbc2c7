"""429 storms on a pool of 5, with each provider's own reset signals read as the relay
will read them (`pools.signals.read`), judged by the selector: every account cools until
its own reset, the pool refuses with the earliest one, and serves again when it comes."""

from __future__ import annotations

from dragoman.pools.outcomes import Outcome
from dragoman.pools.signals import read
from tests.pools.pooled import START, Pooled, accounts

FABLE, OPUS = "claude-fable-5", "claude-opus-4-5"


def test_a_codex_usage_limit_storm_cools_each_account_until_its_reset() -> None:
    pooled = Pooled(accounts(5))
    for n, account in enumerate(accounts(5)):
        body = {
            "error": {"type": "usage_limit_reached", "message": "limit", "resets_in_seconds": 300 * (n + 1)}
        }
        reading = read("codex", {}, body, now=pooled.clock.now)
        decision = pooled.selector.judge(pooled.candidate(account), "m", Outcome("codex", 429, body), reading)
        assert (decision.action, decision.until) == ("cool", START + 300 * (n + 1))
    choice = pooled.choose()
    assert choice.candidates == []
    assert pooled.selector.refusal(choice).retry_after == 300
    pooled.clock.advance(300)
    assert pooled.order() == ["acct-0"]


def test_an_anthropic_storm_on_one_family_leaves_the_other_family_served() -> None:
    pooled = Pooled(accounts(5), models=[FABLE, OPUS])
    for n, account in enumerate(accounts(5)):
        reset = START + 3600 * (n + 1)
        headers = {
            "anthropic-ratelimit-unified-status": "rejected",
            "anthropic-ratelimit-unified-5h-status": "allowed",
            "anthropic-ratelimit-unified-5h-reset": str(int(START + 600)),
            "anthropic-ratelimit-unified-7d_oi-status": "rejected",
            "anthropic-ratelimit-unified-7d_oi-reset": str(int(reset)),
        }
        reading = read("claude", headers, now=pooled.clock.now)
        candidate = pooled.candidate(account, FABLE)
        pooled.selector.judge(candidate, FABLE, Outcome("claude", 429), reading)
    assert pooled.order(FABLE) == []
    assert pooled.selector.refusal(pooled.choose(FABLE)).retry_after == 3600
    assert pooled.order(OPUS) == accounts(5)


def test_a_gemini_retry_delay_storm() -> None:
    pooled = Pooled(accounts(5))
    for n, account in enumerate(accounts(5)):
        details = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{10 * (n + 1)}s"}]
        body = {
            "error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "quota", "details": details}
        }
        reading = read("gemini", {}, body, now=pooled.clock.now)
        pooled.selector.judge(pooled.candidate(account), "m", Outcome("gemini", 429, body), reading)
    assert pooled.selector.refusal(pooled.choose()).retry_after == 10
    pooled.clock.advance(20)
    assert pooled.order() == ["acct-0", "acct-1"]
