"""Usage windows from the unified rate-limit headers of a Claude subscription's answers."""

from __future__ import annotations

import httpx

from dragoman.providers.claude.runtime import ClaudeRuntime
from dragoman.providers.claude.usage import usage_windows
from tests.fakes.claude_oauth import ClaudeOAuthFake


def test_each_window_with_status_percent_and_reset() -> None:
    headers = httpx.Headers(
        {
            "Anthropic-Ratelimit-Unified-Status": "allowed",
            "anthropic-ratelimit-unified-representative-claim": "five_hour",
            "anthropic-ratelimit-unified-7d-utilization": "0.8",
            "anthropic-ratelimit-unified-7d-reset": "1786000000",
            "anthropic-ratelimit-unified-7d-status": "allowed_warning",
            "anthropic-ratelimit-unified-5h-status": "allowed",
            "anthropic-ratelimit-unified-5h-utilization": "0.42",
            "anthropic-ratelimit-unified-5h-reset": "1785956400",
            "anthropic-ratelimit-unified-7d-sonnet-status": "rejected",
            "anthropic-ratelimit-unified-overage-status": "rejected",
            "anthropic-ratelimit-unified-overage-in-use": "false",
            "request-id": "req_1",
        }
    )
    assert usage_windows(headers) == [
        {"name": "5h", "status": "allowed", "used_percent": 42.0, "resets_at": 1785956400.0},
        {"name": "7d", "used_percent": 80.0, "resets_at": 1786000000.0, "status": "allowed_warning"},
        {"name": "7d-sonnet", "status": "rejected"},
        {"name": "overage", "status": "rejected"},
    ]


def test_unreadable_values_are_left_out() -> None:
    headers = {
        "anthropic-ratelimit-unified-5h-utilization": "lots",
        "anthropic-ratelimit-unified-5h-reset": "inf",
    }
    assert usage_windows(headers) == [{"name": "5h"}]
    assert usage_windows({"retry-after": "3"}) == []


def test_the_runtime_reads_the_windows_a_fake_answer_carries() -> None:
    fake = ClaudeOAuthFake()
    fake.windows = {"5h": ("allowed", 0.1, 1_800_000_000), "7d": ("rejected", 1.0, 1_800_500_000)}
    windows = ClaudeRuntime().rate_limits(fake.response_headers())
    assert windows == [
        {"name": "5h", "status": "allowed", "used_percent": 10.0, "resets_at": 1_800_000_000},
        {"name": "7d", "status": "rejected", "used_percent": 100.0, "resets_at": 1_800_500_000},
    ]
    assert ClaudeRuntime().rate_limits({}) is None
