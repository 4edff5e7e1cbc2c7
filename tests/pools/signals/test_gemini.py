"""Gemini's reset hints, from the google.rpc error body (public API and Code Assist alike)."""

from __future__ import annotations

from typing import Any

import pytest

from dragoman.pools.signals import read

NOW = 1_795_000_000.0
RPC = "type.googleapis.com/google.rpc."


def exhausted(
    *details: dict[str, Any], message: str = "Resource has been exhausted (e.g. check quota)."
) -> dict[str, Any]:
    return {
        "error": {"code": 429, "message": message, "status": "RESOURCE_EXHAUSTED", "details": list(details)}
    }


ERROR_INFO = {
    "@type": RPC + "ErrorInfo",
    "reason": "QUOTA_EXHAUSTED",
    "domain": "cloudcode-pa.googleapis.com",
    "metadata": {
        "quotaResetDelay": "1h2m3s",
        "quotaResetTimeStamp": "2026-11-21T18:00:00Z",
        "model": "gemini-2.5-pro",
    },
}
QUOTA_FAILURE = {
    "@type": RPC + "QuotaFailure",
    "violations": [{"quotaId": "GenerateRequestsPerDayPerProjectPerModel"}],
}


def test_retry_delay_comes_first() -> None:
    body = exhausted(ERROR_INFO, QUOTA_FAILURE, {"@type": RPC + "RetryInfo", "retryDelay": "34.07s"})
    reading = read("gemini_cli", {}, body, now=NOW)
    assert reading.reset_at == pytest.approx(NOW + 34.07)
    assert (reading.exhausted, reading.family, reading.windows) == (False, None, ())


def test_a_protobuf_duration_retry_delay() -> None:
    body = exhausted({"@type": RPC + "RetryInfo", "retryDelay": {"seconds": 37, "nanos": 500_000_000}})
    assert read("gemini", {}, body, now=NOW).reset_at == NOW + 37.5


def test_quota_reset_delay_without_retry_info() -> None:
    assert read("gemini", {}, exhausted(ERROR_INFO), now=NOW).reset_at == NOW + 3723


def test_quota_reset_timestamp_when_no_delay_is_given() -> None:
    info = {**ERROR_INFO, "metadata": {"quotaResetTimeStamp": "2026-11-21T18:00:00Z"}}
    assert read("gemini", {}, exhausted(info), now=NOW).reset_at == 1_795_284_000.0


@pytest.mark.parametrize(
    ("message", "seconds"),
    [
        ("You have exhausted your capacity on this model. Your quota will reset after 37s.", 37.0),
        ("Quota exceeded. Your quota will reset after 1h2m3s.", 3723.0),
        ("Resource exhausted. Please retry in 1.5s.", 1.5),
    ],
)
def test_the_message_text_is_the_last_resort(message: str, seconds: float) -> None:
    reading = read("gemini_cli", {}, exhausted(QUOTA_FAILURE, message=message), now=NOW)
    assert reading.reset_at == NOW + seconds


def test_an_answer_streamed_as_an_array_is_read_from_its_first_element() -> None:
    body = [exhausted({"@type": RPC + "RetryInfo", "retryDelay": "5s"})]
    assert read("gemini", {}, body, now=NOW).reset_at == NOW + 5


def test_the_body_outranks_retry_after_and_retry_after_fills_in() -> None:
    body = exhausted({"@type": RPC + "RetryInfo", "retryDelay": "5s"})
    assert read("gemini", {"Retry-After": "120"}, body, now=NOW).reset_at == NOW + 5
    assert read("gemini", {"Retry-After": "120"}, exhausted(), now=NOW).reset_at == NOW + 120


def test_an_error_without_any_hint_reads_nothing() -> None:
    assert read("gemini", {}, exhausted(QUOTA_FAILURE), now=NOW).reset_at is None
