"""OpenAI's x-ratelimit-* windows, which xAI and OpenAI-compatible servers share."""

from __future__ import annotations

import pytest

from dragoman.pools.reading import UsageWindow
from dragoman.pools.signals import read

NOW = 1_795_000_000.0

# As api.openai.com answers (the *_usage_based variants are not limits of their own).
ANSWER = {
    "x-ratelimit-limit-requests": "5000",
    "x-ratelimit-limit-tokens": "160000",
    "x-ratelimit-limit-tokens_usage_based": "160000",
    "x-ratelimit-remaining-requests": "4999",
    "x-ratelimit-remaining-tokens": "159976",
    "x-ratelimit-remaining-tokens_usage_based": "159976",
    "x-ratelimit-reset-requests": "12ms",
    "x-ratelimit-reset-tokens": "9ms",
    "x-ratelimit-reset-tokens_usage_based": "9ms",
    "x-request-id": "req_fake",
}


def test_an_ordinary_answer() -> None:
    reading = read("openai", ANSWER, now=NOW)
    assert reading.windows == (
        UsageWindow("requests", None, None, pytest.approx(0.0002), pytest.approx(NOW + 0.012), False),
        UsageWindow("tokens", None, None, pytest.approx(0.00015), pytest.approx(NOW + 0.009), False),
    )
    assert reading.exhausted is False


def test_nothing_remaining_is_exhausted_until_the_reset() -> None:
    headers = {**ANSWER, "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "6m0s"}
    reading = read("xai", headers, now=NOW)
    assert (reading.exhausted, reading.reset_at) == (True, NOW + 360)


@pytest.mark.parametrize(
    ("value", "at"), [("1s", NOW + 1), ("20", NOW + 20), ("1795284000", 1_795_284_000.0)]
)
def test_resets_as_durations_seconds_or_instants(value: str, at: float) -> None:
    headers = {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": value}
    assert read("openai", headers, now=NOW).reset_at == at


def test_retry_after_ms_is_preferred_to_retry_after() -> None:
    headers = {"retry-after-ms": "1500", "retry-after": "2"}
    assert read("openai", headers, {"error": {"code": "rate_limit_exceeded"}}, now=NOW).reset_at == NOW + 1.5
