"""The Codex backend's x-codex-* windows and its usage_limit_reached body."""

from __future__ import annotations

from dragoman.pools.reading import UsageWindow
from dragoman.pools.signals import read

NOW = 1_795_000_000.0
HOUR, DAY = 3600, 86400

PLUS = {
    "x-codex-plan-type": "plus",
    "x-codex-primary-used-percent": "12.5",
    "x-codex-primary-window-minutes": "300",
    "x-codex-primary-reset-after-seconds": "7200",
    "x-codex-primary-reset-at": str(int(NOW + 9999)),  # reset-after-seconds is preferred
    "x-codex-secondary-used-percent": "40",
    "x-codex-secondary-window-minutes": "10080",
    "x-codex-secondary-reset-at": str(int(NOW + 3 * DAY)),
    "x-codex-primary-over-secondary-limit-percent": "0",
    "x-codex-credits-has-credits": "False",
    "x-codex-credits-balance": "",
}


def test_windows_are_named_by_their_length_with_reset_after_seconds_first() -> None:
    reading = read("codex", PLUS, now=NOW)
    assert reading.windows == (
        UsageWindow("5h", None, 5 * HOUR, 0.125, NOW + 7200, False),
        UsageWindow("7d", None, 7 * DAY, 0.4, NOW + 3 * DAY, False),
    )
    assert (reading.exhausted, reading.reset_at) == (False, None)


def test_a_primary_window_of_a_week_is_the_weekly_window() -> None:
    headers = {
        "x-codex-primary-used-percent": "100",
        "x-codex-primary-window-minutes": "10080",
        "x-codex-primary-reset-after-seconds": str(2 * DAY),
        "x-codex-secondary-used-percent": "3",
        "x-codex-secondary-window-minutes": "300",
        "x-codex-secondary-reset-after-seconds": "600",
    }
    reading = read("codex", headers, now=NOW)
    assert [(window.name, window.seconds, window.rejected) for window in reading.windows] == [
        ("7d", 7 * DAY, True),
        ("5h", 5 * HOUR, False),
    ]
    assert (reading.exhausted, reading.family, reading.reset_at) == (True, None, NOW + 2 * DAY)


def test_a_reset_at_in_milliseconds_is_read_as_such() -> None:
    headers = {
        "x-codex-primary-used-percent": "50",
        "x-codex-primary-window-minutes": "300",
        "x-codex-primary-reset-at": str(int(NOW + HOUR) * 1000),
    }
    assert read("codex", headers, now=NOW).windows[0].resets_at == NOW + HOUR


def test_a_window_of_zero_is_absent() -> None:
    free = {
        "x-codex-primary-used-percent": "8",
        "x-codex-primary-window-minutes": "10080",
        "x-codex-primary-reset-after-seconds": "600",
        "x-codex-secondary-used-percent": "0",
        "x-codex-secondary-window-minutes": "0",
        "x-codex-secondary-reset-at": "",
        "x-codex-secondary-reset-after-seconds": "0",
    }
    assert [window.name for window in read("codex", free, now=NOW).windows] == ["7d"]


def test_a_monthly_window_keeps_its_length() -> None:
    headers = {"x-codex-primary-used-percent": "1", "x-codex-primary-window-minutes": "43200"}
    assert read("codex", headers, now=NOW).windows[0].name == "30d"


FAMILY = {
    "x-codex-active-limit": "codex_bengalfox",
    # the unprefixed family repeats the limit the request charged...
    "x-codex-primary-used-percent": "100",
    "x-codex-primary-window-minutes": "300",
    "x-codex-primary-reset-after-seconds": "1800",
    # ...which is the family's own
    "x-codex-bengalfox-primary-used-percent": "100",
    "x-codex-bengalfox-primary-window-minutes": "300",
    "x-codex-bengalfox-primary-reset-after-seconds": "1800",
    "x-codex-bengalfox-limit-name": "GPT-5.3-Codex-Spark",
}


def test_a_limit_family_rejection_cools_that_family_alone() -> None:
    reading = read("codex", FAMILY, now=NOW)
    assert reading.windows == (UsageWindow("5h", "bengalfox", 5 * HOUR, 1.0, NOW + 1800, True),)
    assert (reading.exhausted, reading.family, reading.reset_at) == (True, "bengalfox", NOW + 1800)


def test_an_active_limit_naming_no_family_leaves_the_windows_to_the_account() -> None:
    headers = {**PLUS, "x-codex-active-limit": "premium"}
    assert {window.family for window in read("codex", headers, now=NOW).windows} == {None}


def test_the_active_family_claims_the_unprefixed_windows_when_it_sends_none_of_its_own() -> None:
    headers = {key: value for key, value in FAMILY.items() if "bengalfox-" not in key}
    headers["x-codex-active-limit"] = "codex_luna"
    reading = read("codex", headers, now=NOW)
    assert [(window.family, window.rejected) for window in reading.windows] == [("luna", True)]


def test_other_families_are_reported_beside_the_account() -> None:
    headers = {
        **PLUS,
        "x-codex-bengalfox-primary-used-percent": "5",
        "x-codex-bengalfox-primary-window-minutes": "300",
    }
    families = [(window.family, window.name) for window in read("codex", headers, now=NOW).windows]
    assert families == [(None, "5h"), (None, "7d"), ("bengalfox", "5h")]


USAGE_LIMIT = {
    "error": {
        "type": "usage_limit_reached",
        "message": "The usage limit has been reached",
        "plan_type": "plus",
        "resets_at": int(NOW + 5000),
        "resets_in_seconds": 4000,
    }
}


def test_usage_limit_reached_prefers_resets_in_seconds() -> None:
    reading = read("codex", {"retry-after": "60"}, USAGE_LIMIT, now=NOW)
    assert (reading.reset_at, reading.family) == (NOW + 4000, None)


def test_usage_limit_reached_reads_resets_at_in_seconds_or_milliseconds() -> None:
    for stamp in (int(NOW + 5000), int(NOW + 5000) * 1000):
        body = {"error": {"type": "usage_limit_reached", "resets_at": stamp}}
        assert read("codex", {}, body, now=NOW).reset_at == NOW + 5000


def test_usage_limit_reached_inside_a_stream_is_read_the_same() -> None:
    event = {
        "type": "response.failed",
        "response": {"error": {"code": "usage_limit_reached", "resets_in_seconds": 90}},
    }
    headers = {"x-codex-active-limit": "codex_bengalfox"}
    reading = read("codex", headers, event, now=NOW)
    assert (reading.reset_at, reading.family) == (NOW + 90, "bengalfox")


def test_other_errors_name_no_reset_of_their_own() -> None:
    body = {"error": {"type": "rate_limit_exceeded", "resets_in_seconds": 4000}}
    assert read("codex", {}, body, now=NOW).reset_at is None
