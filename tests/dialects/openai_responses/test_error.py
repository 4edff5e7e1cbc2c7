from __future__ import annotations

import orjson
import pytest

from dragoman.dialects.openai_responses import error
from dragoman.ir.errors import (
    AuthenticationFailed,
    GatewayError,
    InvalidRequest,
    ModelNotFound,
    RateLimited,
    RequestTooLarge,
    UpstreamError,
    UpstreamOverloaded,
    UpstreamRejected,
    UpstreamTimeout,
)


@pytest.mark.parametrize(
    ("exc", "status", "kind"),
    [
        (InvalidRequest("bad", param="input"), 400, "invalid_request_error"),
        (AuthenticationFailed("no"), 401, "authentication_error"),
        (ModelNotFound("gone"), 404, "not_found_error"),
        (RequestTooLarge("big"), 413, "invalid_request_error"),
        (RateLimited("slow", retry_after=3), 429, "rate_limit_error"),
        (UpstreamError("broke"), 502, "server_error"),
        (UpstreamTimeout("late"), 504, "server_error"),
        (UpstreamOverloaded("busy"), 529, "server_error"),
        (GatewayError("oops"), 500, "server_error"),
    ],
)
def test_render(exc: GatewayError, status: int, kind: str) -> None:
    got_status, body = error.render(exc)
    assert got_status == status
    assert body == {"error": {"message": exc.message, "type": kind, "param": exc.param, "code": exc.code}}


def test_parse_openai_error_with_retry_after_header() -> None:
    body = orjson.dumps(
        {
            "error": {
                "message": "Rate limit reached",
                "type": "requests",
                "param": None,
                "code": "rate_limit_exceeded",
            }
        }
    )
    parsed = error.parse(429, body, {"Retry-After": "7"})
    assert isinstance(parsed, RateLimited)
    assert (parsed.message, parsed.retry_after) == ("Rate limit reached", 7.0)


def test_parse_codex_usage_limit_and_detail_bodies() -> None:
    limit = orjson.dumps(
        {
            "error": {
                "type": "usage_limit_reached",
                "message": "The usage limit has been reached",
                "resets_in_seconds": 120,
            }
        }
    )
    parsed = error.parse(429, limit, {})
    assert isinstance(parsed, RateLimited) and parsed.retry_after == 120
    detail = error.parse(400, b'{"detail":"Unsupported parameter: max_output_tokens"}', {})
    assert isinstance(detail, UpstreamRejected) and detail.status == 400
    assert detail.message == "Unsupported parameter: max_output_tokens"


def test_parse_model_not_found_and_param() -> None:
    body = orjson.dumps(
        {"error": {"message": "The model `x` does not exist", "code": "model_not_found", "param": "model"}}
    )
    parsed = error.parse(404, body, {})
    assert isinstance(parsed, ModelNotFound) and parsed.param == "model"


@pytest.mark.parametrize("body", [b"<html>Bad gateway</html>", b"", b"\xff\xfe", b"[1,2]"])
def test_parse_never_crashes_on_odd_bodies(body: bytes) -> None:
    parsed = error.parse(502, body, {"retry-after": "soon"})
    assert parsed.status == 502 and parsed.message


@pytest.mark.parametrize(
    ("payload", "cls", "status"),
    [
        (
            {"type": "error", "code": "rate_limit_exceeded", "message": "Try again in 250ms."},
            RateLimited,
            429,
        ),
        (
            {"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}},
            UpstreamRejected,
            400,
        ),
        ({"code": "context_length_exceeded", "message": "too long"}, UpstreamRejected, 400),
        ({"code": "server_is_overloaded", "message": "busy"}, UpstreamOverloaded, 529),
        ({"code": "server_error", "message": "boom"}, UpstreamError, 502),
        (None, UpstreamError, 502),
    ],
)
def test_from_event(payload: object, cls: type, status: int) -> None:
    parsed = error.from_event(payload)
    assert type(parsed) is cls and parsed.status == status
    if cls is RateLimited:
        assert parsed.retry_after == 0.25
