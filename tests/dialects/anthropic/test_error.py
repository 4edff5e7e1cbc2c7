"""error.parse and error.render: Anthropic's error envelope both ways."""

from __future__ import annotations

import pytest

from dragoman.dialects.anthropic import error
from dragoman.ir import errors


@pytest.mark.parametrize(
    ("failure", "status", "kind"),
    [
        (errors.InvalidRequest("bad"), 400, "invalid_request_error"),
        (errors.AuthenticationFailed("who"), 401, "authentication_error"),
        (errors.PermissionDenied("no"), 403, "permission_error"),
        (errors.ModelNotFound("none"), 404, "not_found_error"),
        (errors.RequestTooLarge("big"), 413, "request_too_large"),
        (errors.RateLimited("slow", retry_after=3), 429, "rate_limit_error"),
        (errors.GatewayError("oops"), 500, "api_error"),
        (errors.UpstreamUnreachable("down"), 502, "api_error"),
        (errors.UpstreamTimeout("late"), 504, "timeout_error"),
        (errors.UpstreamOverloaded("busy"), 529, "overloaded_error"),
        (errors.UpstreamRejected("teapot", status=418), 418, "invalid_request_error"),
        (errors.UpstreamRejected("gone", status=599), 599, "api_error"),
    ],
)
def test_render(failure: errors.GatewayError, status: int, kind: str) -> None:
    assert error.render(failure) == (
        status,
        {"type": "error", "error": {"type": kind, "message": failure.message}},
    )


def test_parse_keeps_the_message_and_retry_after() -> None:
    body = b'{"type":"error","error":{"type":"rate_limit_error","message":"Slow down"},"request_id":"req_1"}'
    parsed = error.parse(429, body, {"Retry-After": "12"})
    assert isinstance(parsed, errors.RateLimited)
    assert (parsed.message, parsed.retry_after) == ("Slow down", 12.0)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (529, errors.UpstreamOverloaded),
        (413, errors.RequestTooLarge),
        (400, errors.UpstreamRejected),
        (500, errors.UpstreamRejected),
    ],
)
def test_parse_chooses_the_class_by_status(status: int, cls: type[errors.GatewayError]) -> None:
    parsed = error.parse(status, b'{"type":"error","error":{"type":"x","message":"m"}}', {})
    assert type(parsed) is cls
    assert parsed.status == status


@pytest.mark.parametrize("body", [b"<html>Bad Gateway</html>", b"", b"[1, 2]", b'{"error": "plain"}'])
def test_parse_survives_bodies_that_are_not_anthropic_errors(body: bytes) -> None:
    parsed = error.parse(502, body, {"retry-after": "soon"})
    assert parsed.status == 502
    assert parsed.message
    assert parsed.retry_after is None


@pytest.mark.parametrize(
    ("kind", "cls"),
    [
        ("overloaded_error", errors.UpstreamOverloaded),
        ("rate_limit_error", errors.RateLimited),
        ("timeout_error", errors.UpstreamTimeout),
        ("api_error", errors.UpstreamError),
        ("request_too_large", errors.RequestTooLarge),
        ("invalid_request_error", errors.UpstreamRejected),
        ("brand_new_error", errors.UpstreamError),
    ],
)
def test_in_stream_error_types(kind: str, cls: type[errors.GatewayError]) -> None:
    parsed = error.parse_event({"type": "error", "error": {"type": kind, "message": "said"}})
    assert type(parsed) is cls
    assert parsed.message == "said"
