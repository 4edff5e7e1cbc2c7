from __future__ import annotations

import orjson
import pytest

from dragoman.dialects.gemini.error import parse, render
from dragoman.ir.errors import (
    AuthenticationFailed,
    GatewayError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    RateLimited,
    RequestTooLarge,
    UpstreamError,
    UpstreamOverloaded,
    UpstreamRejected,
    UpstreamTimeout,
)

QUOTA = {
    "error": {
        "code": 429,
        "message": "You exceeded your current quota. Please retry in 34.071542964s.",
        "status": "RESOURCE_EXHAUSTED",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [{"quotaId": "PerMinute"}],
            },
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "34s"},
        ],
    }
}


def test_rate_limit_reads_retry_info() -> None:
    error = parse(429, orjson.dumps(QUOTA), {})
    assert isinstance(error, RateLimited)
    assert error.retry_after == 34
    assert error.message.startswith("You exceeded your current quota")


def test_retry_after_header_wins_and_message_is_the_last_resort() -> None:
    assert parse(429, orjson.dumps(QUOTA), {"Retry-After": "7"}).retry_after == 7
    body = {"error": {"code": 429, "message": "Please retry in 1.5s.", "status": "RESOURCE_EXHAUSTED"}}
    assert parse(429, orjson.dumps(body), {}).retry_after == 1.5
    body["error"]["message"] = "Please retry in 250ms"
    assert parse(429, orjson.dumps(body), {}).retry_after == 0.25
    # An HTTP date is read too (one in the past means: now).
    assert parse(429, b"{}", {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}).retry_after == 0.0


def test_bad_api_key_is_an_authentication_failure() -> None:
    body = {
        "error": {
            "code": 400,
            "message": "API key not valid. Please pass a valid API key.",
            "status": "INVALID_ARGUMENT",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
        }
    }
    error = parse(400, orjson.dumps(body), {})
    assert error.status == 401 and "API key not valid" in error.message


@pytest.mark.parametrize(
    ("status", "body", "kind", "message"),
    [
        (503, b'{"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}',
         UpstreamRejected, "The model is overloaded."),
        (413, b"<html>Too Large</html>", RequestTooLarge, "<html>Too Large</html>"),
        (500, b"", UpstreamRejected, "Gemini answered HTTP 500"),
        (404, b'[{"error": {"code": 404, "message": "models/x is not found", "status": "NOT_FOUND"}}]',
         UpstreamRejected, "models/x is not found"),
        (400, b'"just a string"', UpstreamRejected, "Gemini answered HTTP 400"),
    ],
)  # fmt: skip
def test_other_errors_keep_status_and_message(status: int, body: bytes, kind: type, message: str) -> None:
    error = parse(status, body, {})
    assert isinstance(error, kind)
    assert (error.status, error.message) == (status, message)


@pytest.mark.parametrize(
    ("error", "status", "name"),
    [
        (InvalidRequest("bad"), 400, "INVALID_ARGUMENT"),
        (AuthenticationFailed("who"), 401, "UNAUTHENTICATED"),
        (PermissionDenied("no"), 403, "PERMISSION_DENIED"),
        (NotFound("where"), 404, "NOT_FOUND"),
        (RequestTooLarge("big"), 413, "INVALID_ARGUMENT"),
        (RateLimited("slow"), 429, "RESOURCE_EXHAUSTED"),
        (GatewayError("oops"), 500, "INTERNAL"),
        (UpstreamError("down"), 502, "UNAVAILABLE"),
        (UpstreamOverloaded("busy"), 503, "UNAVAILABLE"),
        (UpstreamTimeout("slow"), 504, "DEADLINE_EXCEEDED"),
        (UpstreamRejected("teapot", status=418), 418, "FAILED_PRECONDITION"),
        (UpstreamRejected("odd", status=507), 507, "INTERNAL"),
    ],
)
def test_render_status_names(error: GatewayError, status: int, name: str) -> None:
    rendered_status, body = render(error)
    assert rendered_status == status
    assert body == {"error": {"code": status, "message": error.message, "status": name}}


def test_render_then_parse_keeps_the_wait() -> None:
    status, body = render(RateLimited("Quota exceeded", retry_after=12.25))
    assert body["error"]["details"] == [
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "12.25s"}
    ]
    again = parse(status, orjson.dumps(body), {})
    assert isinstance(again, RateLimited)
    assert (again.message, again.retry_after) == ("Quota exceeded", 12.25)
