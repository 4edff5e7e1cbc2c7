"""An error's codes and message, from every shape upstreams send."""

from __future__ import annotations

import pytest

from dragoman.pools.error_body import ErrorFacts, facts

GEMINI = {
    "error": {
        "code": 429,
        "message": "Quota exceeded",
        "status": "RESOURCE_EXHAUSTED",
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "QUOTA_EXHAUSTED"}],
    }
}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {
                "type": "error",
                "error": {"type": "overloaded_error", "message": "Overloaded"},
                "request_id": "req_1",
            },
            ErrorFacts(frozenset({"overloaded_error"}), "Overloaded"),
        ),
        (
            {
                "error": {
                    "message": "Rate limit",
                    "type": "requests",
                    "param": None,
                    "code": "rate_limit_exceeded",
                }
            },
            ErrorFacts(frozenset({"requests", "rate_limit_exceeded"}), "Rate limit"),
        ),
        (GEMINI, ErrorFacts(frozenset({"429", "resource_exhausted", "quota_exhausted"}), "Quota exceeded")),
        ([GEMINI], ErrorFacts(frozenset({"429", "resource_exhausted", "quota_exhausted"}), "Quota exceeded")),
        (
            {"type": "error", "code": "server_is_overloaded", "message": "busy"},
            ErrorFacts(frozenset({"error", "server_is_overloaded"}), "busy"),
        ),
        (
            {
                "type": "response.failed",
                "response": {"error": {"code": "usage_limit_reached", "message": "limit"}},
            },
            ErrorFacts(frozenset({"usage_limit_reached"}), "limit"),
        ),
        (
            {"code": "Some requested entity was not found", "error": "The model grok-9 does not exist"},
            ErrorFacts(frozenset({"some requested entity was not found"}), "The model grok-9 does not exist"),
        ),
        ({"detail": "Store must be set to false"}, ErrorFacts(frozenset(), "Store must be set to false")),
        ("<html>Just a moment...</html>", ErrorFacts(frozenset(), "<html>Just a moment...</html>")),
        (b"upstream connect error", ErrorFacts(frozenset(), "upstream connect error")),
        (None, ErrorFacts(frozenset(), "")),
        ([], ErrorFacts(frozenset(), "")),
        ({"error": {"code": True, "type": ""}}, ErrorFacts(frozenset(), "")),
    ],
)
def test_codes_and_message(body: object, expected: ErrorFacts) -> None:
    assert facts(body) == expected


def test_a_long_message_is_cut() -> None:
    assert len(facts("x" * 10_000).message) == 2000
