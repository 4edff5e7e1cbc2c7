"""Chat error bodies, both directions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import orjson
import pytest

from dragoman.dialects.openai_chat import error as chat
from dragoman.ir import errors


@pytest.mark.parametrize(
    ("error", "status", "kind", "code"),
    [
        (errors.InvalidRequest("bad", param="messages[0]"), 400, "invalid_request_error", "invalid_request"),
        (errors.MalformedJSON("bad json"), 400, "invalid_request_error", "malformed_json"),
        (errors.AuthenticationFailed("who"), 401, "authentication_error", "authentication_failed"),
        (errors.PermissionDenied("no"), 403, "permission_error", "permission_denied"),
        (errors.NotFound("where"), 404, "not_found_error", "not_found"),
        (errors.ModelNotFound("no model"), 404, "not_found_error", "model_not_found"),
        (errors.RequestTooLarge("big"), 413, "invalid_request_error", "request_too_large"),
        (errors.RateLimited("slow", retry_after=3), 429, "rate_limit_error", "rate_limit_exceeded"),
        (errors.GatewayError("oops"), 500, "server_error", "internal_error"),
        (errors.UpstreamError("broke"), 502, "server_error", "upstream_error"),
        (errors.UpstreamTimeout("slow"), 504, "server_error", "upstream_timeout"),
        (errors.UpstreamOverloaded("busy"), 529, "server_error", "overloaded"),
        (errors.UpstreamRejected("teapot", status=418), 418, "invalid_request_error", "upstream_rejected"),
    ],
)
def test_render(error: errors.GatewayError, status: int, kind: str, code: str) -> None:
    assert chat.render(error) == (
        status,
        {"error": {"message": error.message, "type": kind, "param": error.param, "code": code}},
    )


def envelope(message: str, kind: str, code: str | None = None, param: str | None = None) -> bytes:
    return orjson.dumps({"error": {"message": message, "type": kind, "param": param, "code": code}})


def test_parse_rate_limit_with_retry_after() -> None:
    error = chat.parse(
        429, envelope("Rate limit reached", "requests", "rate_limit_exceeded"), {"Retry-After": "7"}
    )
    assert isinstance(error, errors.RateLimited)
    assert (error.message, error.retry_after) == ("Rate limit reached", 7.0)


def test_parse_retry_after_forms() -> None:
    assert chat.retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    later = datetime.now(UTC) + timedelta(seconds=120)
    assert 100 < (chat.retry_after({"retry-after": format_datetime(later, usegmt=True)}) or 0) <= 120
    assert chat.retry_after({"retry-after": "soon"}) is None
    assert chat.retry_after({}) is None


@pytest.mark.parametrize(
    ("status", "body", "cls", "message"),
    [
        (
            400,
            envelope("bad param", "invalid_request_error", param="tools"),
            errors.UpstreamRejected,
            "bad param",
        ),
        (
            404,
            envelope("The model `x` does not exist", "invalid_request_error", "model_not_found"),
            errors.ModelNotFound,
            "The model `x` does not exist",
        ),
        (413, b"", errors.RequestTooLarge, "the upstream answered HTTP 413"),
        (529, envelope("busy", "overloaded_error"), errors.UpstreamOverloaded, "busy"),
        (
            502,
            b"<html><body>Bad gateway</body></html>",
            errors.UpstreamRejected,
            "<html><body>Bad gateway</body></html>",
        ),
        (500, b'{"error": "plain string"}', errors.UpstreamRejected, "plain string"),
        (422, b'{"detail": "validation failed"}', errors.UpstreamRejected, "validation failed"),
        (400, b"[1, 2]", errors.UpstreamRejected, "[1, 2]"),
    ],
)
def test_parse(status: int, body: bytes, cls: type, message: str) -> None:
    error = chat.parse(status, body, {})
    assert type(error) is cls
    assert error.message == message
    assert error.status == status


def test_parse_keeps_param() -> None:
    assert (
        chat.parse(400, envelope("bad", "invalid_request_error", param="messages[1]"), {}).param
        == "messages[1]"
    )


@pytest.mark.parametrize(
    ("detail", "cls"),
    [
        ({"message": "slow", "type": "rate_limit_error"}, errors.RateLimited),
        ({"message": "slow", "code": 429}, errors.RateLimited),
        ({"message": "boom", "type": "server_error"}, errors.UpstreamError),
        ({"message": "gone", "code": "model_not_found"}, errors.ModelNotFound),
        ("just text", errors.UpstreamError),
    ],
)
def test_from_payload(detail: object, cls: type) -> None:
    assert type(chat.from_payload(detail)) is cls


def test_round_trip_through_render_and_parse() -> None:
    for original in (
        errors.RateLimited("wait"),
        errors.ModelNotFound("no such model"),
        errors.RequestTooLarge("big"),
    ):
        status, body = chat.render(original)
        parsed = chat.parse(status, orjson.dumps(body), {})
        assert (type(parsed), parsed.message) == (type(original), original.message)
