"""Code Assist quota errors, read by the gemini dialect: a 429 waits for what the body
says (RetryInfo, the ErrorInfo quota reset), and a spent daily quota until midnight
Pacific time, when Google resets it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
import pytest

from dragoman.dialects.gemini import error
from dragoman.ir.errors import RateLimited
from tests.fakes.base import Rejected
from tests.fakes.code_assist import CodeAssistFake

RPC = "type.googleapis.com/google.rpc."


def rpc429(*details: dict[str, object], message: str = "You have exhausted your capacity.") -> bytes:
    return orjson.dumps(
        {"error": {"code": 429, "message": message, "status": "RESOURCE_EXHAUSTED", "details": list(details)}}
    )


def info(reason: str, **metadata: str) -> dict[str, object]:
    return {
        "@type": RPC + "ErrorInfo",
        "reason": reason,
        "domain": "cloudcode-pa.googleapis.com",
        "metadata": metadata,
    }


def test_retry_info_gives_the_wait() -> None:
    parsed = error.parse(
        429, rpc429(info("RATE_LIMIT_EXCEEDED"), {"@type": RPC + "RetryInfo", "retryDelay": "34.07s"}), {}
    )
    assert isinstance(parsed, RateLimited) and parsed.retry_after == pytest.approx(34.07)


def test_a_quota_reset_delay_without_retry_info() -> None:
    parsed = error.parse(429, rpc429(info("QUOTA_EXHAUSTED", quotaResetDelay="1h2m3.5s")), {})
    assert parsed.retry_after == pytest.approx(3723.5)


def test_a_quota_reset_time_stamp() -> None:
    reset = datetime.now(UTC) + timedelta(minutes=10)
    stamp = reset.strftime("%Y-%m-%dT%H:%M:%SZ")
    parsed = error.parse(429, rpc429(info("QUOTA_EXHAUSTED", quotaResetTimeStamp=stamp)), {})
    assert parsed.retry_after == pytest.approx(600, abs=2)


def test_a_daily_quota_waits_until_midnight_pacific() -> None:
    daily = {
        "@type": RPC + "QuotaFailure",
        "violations": [{"quotaId": "GenerateRequestsPerDayPerProjectPerModel"}],
    }
    parsed = error.parse(429, rpc429(info("QUOTA_EXHAUSTED"), daily), {})
    now = datetime.now(ZoneInfo("America/Los_Angeles"))
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert isinstance(parsed, RateLimited)
    assert parsed.retry_after == pytest.approx(midnight.timestamp() - time.time(), abs=2)
    assert 0 < parsed.retry_after <= 25 * 3600


def test_a_daily_limit_named_in_error_info_counts_too() -> None:
    """The shape of gemini-cli issue #10925: RATE_LIMIT_EXCEEDED with a per-day quota_limit."""
    body = rpc429(info("RATE_LIMIT_EXCEEDED", quota_limit="Gemini25ProRequestsPerDay"))
    assert error.parse(429, body, {}).retry_after is not None
    assert (
        error.parse(429, rpc429(info("RATE_LIMIT_EXCEEDED", quota_limit="PerMinute")), {}).retry_after is None
    )


def test_the_header_and_retry_info_come_before_the_quota_reset() -> None:
    body = rpc429(
        info("QUOTA_EXHAUSTED", quotaResetDelay="999s"), {"@type": RPC + "RetryInfo", "retryDelay": "5s"}
    )
    assert error.parse(429, body, {}).retry_after == 5
    assert error.parse(429, body, {"retry-after": "7"}).retry_after == 7


def test_malformed_reset_values_are_ignored() -> None:
    body = rpc429(info("QUOTA_EXHAUSTED", quotaResetDelay="soon", quotaResetTimeStamp="tomorrow"))
    assert error.parse(429, body, {}).retry_after is None


@pytest.mark.parametrize(
    ("reason", "retry_after", "expected"),
    [
        ("RATE_LIMIT_EXCEEDED", 12.0, 12.0),
        ("QUOTA_EXHAUSTED", 5400.0, 5400.0),
        ("QUOTA_EXHAUSTED", None, "midnight"),
    ],
)
def test_the_fakes_429s_are_read_as_rate_limits(
    reason: str, retry_after: float | None, expected: object
) -> None:
    fake = CodeAssistFake()
    body = orjson.dumps(
        fake.error_body(Rejected("quota", status=429, reason=reason, retry_after=retry_after))
    )
    parsed = error.parse(429, body, {})
    assert isinstance(parsed, RateLimited)
    if expected == "midnight":
        assert parsed.retry_after is not None and 0 < parsed.retry_after <= 25 * 3600
    else:
        assert parsed.retry_after == expected
