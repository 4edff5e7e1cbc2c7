"""Anthropic's unified windows (subscriptions) and per-minute windows (API keys)."""

from __future__ import annotations

from dragoman.pools.reading import UsageWindow
from dragoman.pools.signals import read

NOW = 1_795_000_000.0
HOUR, DAY = 3600, 86400
# 2026-11-21T18:00:00Z, in each spelling Anthropic's readers have met
SIX_PM = 1_795_284_000.0
SIX_PM_UNIX, SIX_PM_RFC3339, SIX_PM_HTTP = (
    "1795284000",
    "2026-11-21T18:00:00Z",
    "Sat, 21 Nov 2026 18:00:00 GMT",
)
WEEK = 7 * DAY

# An ordinary answer to a Max subscription: everything allowed.
ALLOWED = {
    "anthropic-ratelimit-unified-status": "allowed",
    "anthropic-ratelimit-unified-reset": str(int(NOW + 2 * HOUR)),
    "anthropic-ratelimit-unified-representative-claim": "five_hour",
    "anthropic-ratelimit-unified-fallback-percentage": "0.5",
    "anthropic-ratelimit-unified-5h-status": "allowed",
    "anthropic-ratelimit-unified-5h-utilization": "0.42",
    "anthropic-ratelimit-unified-5h-reset": str(int(NOW + 2 * HOUR)),
    "anthropic-ratelimit-unified-7d-status": "allowed_warning",
    "anthropic-ratelimit-unified-7d-utilization": "0.91",
    "anthropic-ratelimit-unified-7d-reset": SIX_PM_RFC3339,
    "anthropic-ratelimit-unified-overage-status": "rejected",
    "anthropic-ratelimit-unified-overage-disabled-reason": "org_level_disabled",
    "request-id": "req_011CVfake",
}


def test_an_ordinary_answer_reports_its_windows_and_blocks_nothing() -> None:
    reading = read("claude", ALLOWED, now=NOW)
    assert reading.windows == (
        UsageWindow("5h", None, 5 * HOUR, 0.42, NOW + 2 * HOUR, False),
        UsageWindow("7d", None, WEEK, 0.91, SIX_PM, False),
    )
    assert (reading.exhausted, reading.reset_at, reading.family) == (False, None, None)


def test_a_fable_only_rejection_cools_that_family_alone() -> None:
    headers = {
        **ALLOWED,
        "anthropic-ratelimit-unified-status": "rejected",
        "anthropic-ratelimit-unified-reset": SIX_PM_UNIX,
        "anthropic-ratelimit-unified-7d_oi-status": "rejected",
        "anthropic-ratelimit-unified-7d_oi-utilization": "1.0",
        "anthropic-ratelimit-unified-7d_oi-reset": SIX_PM_HTTP,
        "retry-after": "60",
    }
    reading = read("claude", headers, now=NOW)
    assert UsageWindow("7d_oi", "fable", WEEK, 1.0, SIX_PM, True) in reading.windows
    assert (reading.exhausted, reading.family, reading.reset_at) == (True, "fable", SIX_PM)
    assert not any(window.name == "unified" for window in reading.windows)


def test_an_account_window_rejected_blocks_the_account_until_it_resets() -> None:
    headers = {
        **ALLOWED,
        "anthropic-ratelimit-unified-5h-status": "rejected",
        "anthropic-ratelimit-unified-5h-utilization": "1.0",
        "anthropic-ratelimit-unified-7d_oi-status": "rejected",
        "anthropic-ratelimit-unified-7d_oi-reset": SIX_PM_UNIX,
    }
    reading = read("claude", headers, now=NOW)
    # The family's later reset is its own: the account reopens when the 5h window does.
    assert (reading.exhausted, reading.family, reading.reset_at) == (True, None, NOW + 2 * HOUR)


def test_the_latest_reset_among_rejected_account_windows_wins() -> None:
    headers = {
        **ALLOWED,
        "anthropic-ratelimit-unified-5h-status": "rejected",
        "anthropic-ratelimit-unified-7d-status": "rejected",
    }
    assert read("claude", headers, now=NOW).reset_at == SIX_PM


def test_an_overall_rejection_no_window_explains_blocks_the_account() -> None:
    headers = {
        "anthropic-ratelimit-unified-status": "rejected",
        "anthropic-ratelimit-unified-reset": SIX_PM_RFC3339,
    }
    reading = read("claude", headers, now=NOW)
    assert reading.windows == (UsageWindow("unified", None, None, None, SIX_PM, True),)
    assert (reading.exhausted, reading.family, reading.reset_at) == (True, None, SIX_PM)


def test_the_overall_reset_stands_in_for_a_rejected_window_without_one() -> None:
    headers = {
        "anthropic-ratelimit-unified-status": "rejected",
        "anthropic-ratelimit-unified-reset": SIX_PM_UNIX,
        "anthropic-ratelimit-unified-7d_oi-status": "rejected",
        "retry-after": "60",
    }
    reading = read("claude", headers, now=NOW)
    assert (reading.family, reading.reset_at) == ("fable", SIX_PM)


def test_a_model_scoped_window_with_a_dash_names_its_family() -> None:
    headers = {
        "anthropic-ratelimit-unified-7d-sonnet-status": "allowed",
        "anthropic-ratelimit-unified-7d-sonnet-utilization": "0.1",
        "anthropic-ratelimit-unified-7d-sonnet-reset": SIX_PM_UNIX,
    }
    assert read("claude", headers, now=NOW).windows == (
        UsageWindow("7d-sonnet", "sonnet", WEEK, 0.1, SIX_PM, False),
    )


def test_utilization_decides_only_when_no_status_came() -> None:
    full = {"anthropic-ratelimit-unified-5h-utilization": "1.0"}
    assert read("claude", full, now=NOW).windows[0].rejected
    allowed = {**full, "anthropic-ratelimit-unified-5h-status": "allowed"}
    assert not read("claude", allowed, now=NOW).windows[0].rejected


def test_names_are_matched_whatever_their_case() -> None:
    headers = {
        "Anthropic-RateLimit-Unified-5h-Status": "rejected",
        "Anthropic-Ratelimit-Unified-5h-Reset": "1795284000",
    }
    assert read("claude", headers, now=NOW).reset_at == SIX_PM


def test_api_key_answers_report_per_minute_windows() -> None:
    reset = "2026-11-21T18:00:00Z"
    headers = {
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "0",
        "anthropic-ratelimit-requests-reset": reset,
        "anthropic-ratelimit-tokens-limit": "40000",
        "anthropic-ratelimit-tokens-remaining": "30000",
        "anthropic-ratelimit-tokens-reset": reset,
        "anthropic-ratelimit-input-tokens-limit": "20000",
        "anthropic-ratelimit-input-tokens-remaining": "20000",
        "anthropic-ratelimit-input-tokens-reset": reset,
        "anthropic-organization-id": "org-fake",
    }
    reading = read("anthropic", headers, now=NOW)
    assert reading.windows == (
        UsageWindow("requests", None, 60, 1.0, SIX_PM, True),
        UsageWindow("tokens", None, 60, 0.25, SIX_PM, False),
        UsageWindow("input-tokens", None, 60, 0.0, SIX_PM, False),
    )
    assert (reading.exhausted, reading.reset_at) == (True, SIX_PM)


def test_a_subscription_ignores_api_key_windows() -> None:
    headers = {"anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "0"}
    assert read("claude", headers, now=NOW).windows == ()


def test_retry_after_is_the_fallback_of_a_bare_429() -> None:
    reading = read("anthropic", {"retry-after": "30"}, {"type": "error"}, now=NOW)
    assert (reading.reset_at, reading.exhausted, reading.windows) == (NOW + 30, False, ())
