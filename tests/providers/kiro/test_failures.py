"""Kiro's refusals, as the pools judge them (the failure table in `pools.rules`), on
the bodies the fake Kiro sends."""

from __future__ import annotations

from dragoman.pools.outcomes import Outcome, classify, stream_outcome
from dragoman.pools.signals import read
from dragoman.providers.kiro.eventstream import Decoder
from tests.fakes.kiro import INVALID_TOKEN, LIMIT, SUSPENDED
from tests.fakes.kiro_frames import exception

NOW = 1_795_000_000.0


def _decide(
    status: int, body: object, headers: dict[str, str] | None = None
) -> tuple[str, str, float | None]:
    decision = classify(
        Outcome("kiro", status, body), read("kiro", headers or {}, body, now=NOW), now=NOW, refreshed=True
    )
    return decision.rule, decision.action, decision.until


def test_the_spent_monthly_limit_cools_the_account_and_comes_back() -> None:
    rule, action, until = _decide(402, {"message": LIMIT, "reason": "MONTHLY_REQUEST_COUNT"})
    assert (rule, action) == ("kiro_limit_reached", "cool") and until is not None and until > NOW


def test_a_suspension_takes_the_account_out_until_the_user_resets_it() -> None:
    assert _decide(403, {"message": SUSPENDED})[:2] == ("kiro_suspended", "unhealthy")


def test_suspicious_activity_is_a_suspension_not_a_rate_limit() -> None:
    body = {"message": "Too many requests: suspicious activity", "__type": "x#ThrottlingException"}
    assert _decide(429, body)[:2] == ("kiro_suspended", "unhealthy")


def test_throttling_cools_until_the_retry_after() -> None:
    body = {"message": "Too many requests", "__type": "com.amazon.aws.codewhisperer#ThrottlingException"}
    rule, action, until = _decide(429, body, {"retry-after": "30"})
    assert (rule, action) == ("rate_limited", "cool") and until is not None and until >= NOW + 30


def test_a_token_still_refused_after_its_refresh_is_forbidden() -> None:
    assert _decide(403, {"message": INVALID_TOKEN})[:2] == ("forbidden", "unhealthy")


def test_an_exception_frame_before_content_is_judged_as_its_status() -> None:
    [frame] = Decoder().feed(exception("ThrottlingException", "Too many requests"))
    assert stream_outcome("kiro", _json(frame.data)).status == 429


def _json(text: str) -> object:
    import orjson

    return orjson.loads(text)


def test_kiros_error_bodies_keep_their_message_and_type() -> None:
    from dragoman.ir.errors import RateLimited, UpstreamRejected
    from dragoman.providers.kiro.error import parse

    throttled = parse(
        429, b'{"message":"Too many requests","__type":"a.b#ThrottlingException"}', {"retry-after": "7"}
    )
    assert isinstance(throttled, RateLimited) and throttled.retry_after == 7.0
    assert throttled.message == "Too many requests (ThrottlingException)"
    limit = parse(402, b'{"message":"You have reached the limit.","reason":"MONTHLY_REQUEST_COUNT"}', {})
    assert isinstance(limit, UpstreamRejected) and limit.status == 402
    assert "You have reached the limit." in limit.message
    assert parse(502, b"<html>Bad gateway</html>", {}).message == "<html>Bad gateway</html>"
    assert parse(500, b"", {}).message == "Kiro answered HTTP 500"
