"""Every rule of the failure table, on answers as each upstream really sends them."""

from __future__ import annotations

import random
from typing import Any

import pytest

from dragoman.pools.outcomes import Decision, Outcome, classify, stream_outcome
from dragoman.pools.reading import NOTHING, Reading
from dragoman.pools.rules import RULES, rule
from dragoman.pools.signals import read

NOW = 1_795_000_000.0
HOUR = 3600.0
RPC = "type.googleapis.com/google.rpc."


def fixed(low: float, high: float) -> float:
    return 12.0


def decide(
    kind: str,
    status: int | None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    **options: Any,
) -> Decision:
    reading = read(kind, headers or {}, body, now=NOW)
    outcome = Outcome(kind, status, body, operation=options.pop("operation", "generate"))
    return classify(outcome, reading, now=NOW, jitter=fixed, **options)


def anthropic_error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_011"}


def openai_error(code: str, message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def google_error(status: int, state: str, message: str, *details: dict[str, Any]) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "status": state, "details": list(details)}}


# -- answers -------------------------------------------------------------------------------


def test_an_answer_keeps_the_account_and_forgets_the_ladder() -> None:
    decision = decide("openai", 200, level=6)
    assert (decision.action, decision.level, decision.rule) == ("keep", 0, "answered")
    assert not decision.fail_over


def test_an_answer_whose_window_is_exhausted_cools_before_the_429_comes() -> None:
    headers = {"x-codex-primary-used-percent": "100", "x-codex-primary-window-minutes": "300"}
    headers["x-codex-primary-reset-after-seconds"] = "600"
    decision = decide("codex", 200, headers=headers, level=3)
    assert (decision.action, decision.scope, decision.until, decision.level) == (
        "cool",
        "account",
        NOW + 612,
        0,
    )


def test_an_answer_exhausting_one_family_cools_that_family() -> None:
    headers = {
        "anthropic-ratelimit-unified-7d_oi-status": "rejected",
        "anthropic-ratelimit-unified-7d_oi-reset": str(int(NOW + HOUR)),
    }
    decision = decide("claude", 200, headers=headers)
    assert (decision.action, decision.scope, decision.family, decision.until) == (
        "cool",
        "family",
        "fable",
        NOW + HOUR + 12,
    )


# -- the request's own fault ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "body", "rule_name"),
    [
        (
            "openai",
            400,
            openai_error("previous_response_not_found", "Previous response with id 'resp_1' not found."),
            "previous_response_not_found",
        ),
        (
            "codex",
            400,
            openai_error("invalid_encrypted_content", "The encrypted content could not be verified."),
            "invalid_encrypted_content",
        ),
        (
            "claude",
            400,
            anthropic_error(
                "invalid_request_error", "messages.1.content.0: Invalid `signature` in `thinking` block"
            ),
            "invalid_signature",
        ),
        (
            "anthropic",
            400,
            anthropic_error(
                "invalid_request_error", "messages.5.content.2: Invalid `data` in `redacted_thinking` block"
            ),
            "invalid_signature",
        ),
        (
            "openai",
            400,
            openai_error("context_length_exceeded", "This model's maximum context length is 128000 tokens."),
            "context_too_long",
        ),
        (
            "anthropic",
            400,
            anthropic_error("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"),
            "prompt_too_long",
        ),
        (
            "anthropic",
            413,
            anthropic_error("request_too_large", "Request exceeds the maximum allowed number of bytes."),
            "context_too_long",
        ),
        (
            "gemini",
            400,
            google_error(
                400,
                "INVALID_ARGUMENT",
                "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
            ),
            "prompt_too_long",
        ),
        ("openai", 400, openai_error("invalid_value", "Invalid value for 'tool_choice'."), "bad_request"),
        ("codex", 400, {"detail": "Unsupported parameter: max_output_tokens"}, "bad_request"),
        ("openai", 422, None, "bad_request"),
        ("openai", 409, None, "bad_request"),
    ],
)
def test_errors_of_the_request_itself_never_cool(kind: str, status: int, body: Any, rule_name: str) -> None:
    decision = decide(kind, status, body, level=4)
    assert (decision.action, decision.scope, decision.rule, decision.until, decision.level) == (
        "pass",
        "request",
        rule_name,
        None,
        4,
    )
    assert not decision.fail_over


@pytest.mark.parametrize(
    ("operation", "rule_name"),
    [("count_tokens", "count_tokens_unsupported"), ("compact", "compact_unsupported")],
)
def test_an_endpoint_the_upstream_lacks_is_not_the_accounts_fault(operation: str, rule_name: str) -> None:
    decision = decide(
        "openai_compatible", 404, anthropic_error("not_found_error", "Not Found"), operation=operation
    )
    assert (decision.action, decision.rule) == ("pass", rule_name)


# -- quota -----------------------------------------------------------------------------------


def test_codex_usage_limit_cools_until_its_reset_plus_jitter() -> None:
    body = {
        "error": {
            "type": "usage_limit_reached",
            "message": "The usage limit has been reached",
            "resets_in_seconds": 7200,
        }
    }
    decision = decide("codex", 429, body, headers={"x-codex-primary-used-percent": "100"}, level=2)
    assert decision == Decision(
        "cool",
        "account",
        "usage_limit_reached",
        "429 usage_limit_reached: The usage limit has been reached",
        NOW + 7200 + 12,
        None,
        2,
    )
    assert decision.fail_over


def test_a_seeded_jitter_lands_within_thirty_seconds_of_the_reset() -> None:
    body = {"error": {"type": "usage_limit_reached", "resets_in_seconds": 7200}}
    reading = read("codex", {}, body, now=NOW)
    decision = classify(Outcome("codex", 429, body), reading, now=NOW, jitter=random.Random(3).uniform)
    assert decision.until == NOW + 7200 + random.Random(3).uniform(0, 30)
    assert NOW + 7200 <= (decision.until or 0) <= NOW + 7230


def test_a_codex_family_limit_cools_the_family() -> None:
    body = {"error": {"type": "usage_limit_reached", "resets_in_seconds": 600}}
    decision = decide("codex", 429, body, headers={"x-codex-active-limit": "codex_bengalfox"})
    assert (decision.scope, decision.family, decision.until) == ("family", "bengalfox", NOW + 612)


def test_a_claude_family_rejection_leaves_the_account_serving() -> None:
    headers = {
        "anthropic-ratelimit-unified-status": "rejected",
        "anthropic-ratelimit-unified-5h-status": "allowed",
        "anthropic-ratelimit-unified-7d-status": "allowed",
        "anthropic-ratelimit-unified-7d_oi-status": "rejected",
        "anthropic-ratelimit-unified-7d_oi-reset": str(int(NOW + 3 * 86400)),
        "retry-after": "259200",
    }
    decision = decide(
        "claude",
        429,
        anthropic_error("rate_limit_error", "This request would exceed your rate limit."),
        headers,
    )
    assert (decision.action, decision.scope, decision.family, decision.until) == (
        "cool",
        "family",
        "fable",
        NOW + 3 * 86400 + 12,
    )


def test_a_claude_account_rejection_cools_the_account() -> None:
    headers = {
        "anthropic-ratelimit-unified-5h-status": "rejected",
        "anthropic-ratelimit-unified-5h-reset": str(int(NOW + HOUR)),
    }
    decision = decide("claude", 429, anthropic_error("rate_limit_error", "rate limited"), headers)
    assert (decision.rule, decision.scope, decision.until) == ("rate_limited", "account", NOW + HOUR + 12)


def test_a_gemini_quota_cools_the_model_until_retry_delay() -> None:
    body = google_error(
        429, "RESOURCE_EXHAUSTED", "Quota exceeded", {"@type": RPC + "RetryInfo", "retryDelay": "37s"}
    )
    decision = decide("gemini", 429, body)
    assert (decision.rule, decision.action, decision.scope, decision.until) == (
        "rate_limited_model",
        "cool",
        "model",
        NOW + 37 + 3.7,  # the grace: at most a tenth of the 37 s wait
    )


def test_an_openai_rate_limit_cools_the_model_until_its_window_resets() -> None:
    headers = {"x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "6m0s"}
    decision = decide(
        "openai",
        429,
        openai_error("rate_limit_exceeded", "Rate limit reached for gpt-5 on tokens per min (TPM)", "tokens"),
        headers,
    )
    assert (decision.rule, decision.scope, decision.until) == ("rate_limited_model", "model", NOW + 360 + 12)


def test_a_429_without_a_reset_climbs_the_ladder() -> None:
    decision = decide("claude", 429, anthropic_error("rate_limit_error", "rate limited"), level=3)
    assert (decision.action, decision.until, decision.level) == ("cool", NOW + 8, 4)


def test_the_ladder_stops_at_thirty_minutes() -> None:
    decision = decide("grok", 429, level=25)
    assert (decision.until, decision.level) == (NOW + 1800, 26)


def test_a_burst_of_429s_in_flight_escalates_once() -> None:
    first = decide("claude", 429, level=3)
    second = decide("claude", 429, level=first.level, cooling_until=first.until)
    assert (second.until, second.level) == (first.until, first.level) == (NOW + 8, 4)
    later = decide("claude", 429, level=first.level, cooling_until=NOW - 1)
    assert (later.until, later.level) == (NOW + 16, 5)


def test_a_reset_already_past_climbs_the_ladder_instead() -> None:
    decision = decide("openai", 429, headers={"retry-after": "0"}, level=0)
    assert (decision.until, decision.level) == (NOW + 1, 1)


def test_codex_rate_limit_exceeded_is_transient() -> None:
    decision = decide(
        "codex", 429, openai_error("rate_limit_exceeded", "Rate limit reached", "rate_limit_error"), level=2
    )
    assert (decision.rule, decision.action, decision.until, decision.level) == (
        "codex_rate_limited",
        "cool",
        NOW + 15,
        2,
    )


# -- money, credentials, entitlement -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "body", "rule_name"),
    [
        (
            "openai",
            429,
            openai_error(
                "insufficient_quota",
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota",
            ),
            "insufficient_quota",
        ),
        (
            "anthropic",
            400,
            anthropic_error(
                "invalid_request_error", "Your credit balance is too low to access the Anthropic API."
            ),
            "credit_balance",
        ),
        ("anthropic", 403, anthropic_error("billing_error", "Billing problem"), "insufficient_quota"),
        (
            "codex",
            403,
            {"error": {"type": "usage_not_included", "message": "Codex is not included in your plan"}},
            "insufficient_quota",
        ),
        (
            "gemini",
            400,
            google_error(
                400,
                "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key.",
                {"@type": RPC + "ErrorInfo", "reason": "API_KEY_INVALID"},
            ),
            "api_key_invalid",
        ),
        ("openai_compatible", 402, {"error": {"message": "Insufficient credits"}}, "payment_required"),
        (
            "claude",
            403,
            anthropic_error("permission_error", "Your organization has been disabled."),
            "forbidden",
        ),
        (
            "gemini_cli",
            403,
            google_error(403, "PERMISSION_DENIED", "The caller does not have permission"),
            "forbidden",
        ),
    ],
)
def test_money_and_entitlement_make_the_account_unhealthy_with_the_upstreams_reason(
    kind: str, status: int, body: Any, rule_name: str
) -> None:
    decision = decide(kind, status, body)
    assert (decision.action, decision.scope, decision.rule, decision.until) == (
        "unhealthy",
        "account",
        rule_name,
        None,
    )
    assert decision.reason.startswith(f"{status} {rule_name}: ")
    assert decision.fail_over


def test_a_401_refreshes_once_then_marks_the_account_unhealthy() -> None:
    body = openai_error(
        "token_expired", "Provided authentication token is expired. Please try signing in again."
    )
    first = decide("codex", 401, body)
    assert (first.action, first.fail_over) == ("refresh", False)
    again = decide("codex", 401, body, refreshed=True)
    assert (again.action, again.reason) == (
        "unhealthy",
        "401 unauthorized: Provided authentication token is expired. Please try signing in again.",
    )


def test_a_cloudflare_challenge_climbs_the_ladder() -> None:
    page = "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>cf-ray: 8f</body></html>"
    decision = decide("codex", 403, page, level=1)
    assert (decision.rule, decision.action, decision.until, decision.level) == (
        "cloudflare_challenge",
        "cool",
        NOW + 2,
        2,
    )


def test_a_reason_never_carries_a_key() -> None:
    body = openai_error("invalid_api_key", "Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwx.")
    decision = decide("openai", 401, body, refreshed=True)
    assert "abcdefghijkl" not in decision.reason and "***" in decision.reason


# -- models ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        (
            "openai",
            404,
            openai_error(
                "model_not_found", "The model `gpt-9` does not exist or you do not have access to it."
            ),
        ),
        ("anthropic", 404, anthropic_error("not_found_error", "model: claude-opus-9")),
        (
            "gemini",
            404,
            google_error(404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta"),
        ),
        ("openai_compatible", 400, openai_error("model_not_found", "model 'qwen9' not found")),
    ],
)
def test_a_missing_model_is_switched_off_on_that_account(kind: str, status: int, body: Any) -> None:
    decision = decide(kind, status, body)
    assert (decision.action, decision.scope, decision.until) == ("model_off", "model", NOW + 12 * HOUR)


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        (
            "codex",
            429,
            {
                "error": {
                    "type": "server_error",
                    "message": "Selected model is at capacity. Please try a different model.",
                }
            },
        ),
        (
            "gemini_cli",
            429,
            google_error(
                429,
                "RESOURCE_EXHAUSTED",
                "No capacity available for model gemini-3-pro",
                {"@type": RPC + "ErrorInfo", "reason": "MODEL_CAPACITY_EXHAUSTED"},
            ),
        ),
    ],
)
def test_a_model_at_capacity_cools_the_model_briefly(kind: str, status: int, body: Any) -> None:
    decision = decide(kind, status, body)
    assert (decision.action, decision.scope, decision.until) == ("cool", "model", NOW + 15)


# -- transient -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "body", "rule_name"),
    [
        ("anthropic", 529, anthropic_error("overloaded_error", "Overloaded"), "overloaded"),
        ("claude", 500, anthropic_error("api_error", "Internal server error"), "server_error"),
        ("openai", 502, "Bad Gateway", "server_error"),
        (
            "gemini",
            503,
            google_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
            "server_error",
        ),
        ("xai", 408, None, "server_error"),
        ("codex", None, None, "server_error"),
    ],
)
def test_server_trouble_and_lost_connections_cool_briefly(
    kind: str, status: int | None, body: Any, rule_name: str
) -> None:
    decision = decide(kind, status, body, level=5)
    assert (decision.action, decision.scope, decision.rule, decision.until, decision.level) == (
        "cool",
        "account",
        rule_name,
        NOW + 15,
        5,
    )


def test_the_reason_of_a_lost_connection() -> None:
    assert decide("codex", None).reason == "no answer server_error"


# -- errors inside a 200 stream, before any content ----------------------------------------------


@pytest.mark.parametrize(
    ("kind", "event", "status", "action"),
    [
        (
            "codex",
            {"type": "error", "error": {"type": "usage_limit_reached", "resets_in_seconds": 60}},
            429,
            "cool",
        ),
        (
            "codex",
            {
                "type": "response.failed",
                "response": {"error": {"code": "server_is_overloaded", "message": "busy"}},
            },
            503,
            "cool",
        ),
        (
            "claude",
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            529,
            "cool",
        ),
        ("codex", {"type": "error", "code": "context_length_exceeded", "message": "too long"}, 400, "pass"),
        ("codex", {"type": "error", "code": "something_new", "message": "?"}, 502, "cool"),
    ],
)
def test_stream_errors_count_as_the_answer_they_stand_for(
    kind: str, event: Any, status: int, action: str
) -> None:
    outcome = stream_outcome(kind, event)
    assert outcome.status == status
    decision = classify(outcome, read(kind, {}, event, now=NOW), now=NOW, jitter=fixed)
    assert decision.action == action


def test_codex_usage_limit_inside_a_stream_cools_until_its_reset() -> None:
    event = {"type": "error", "error": {"type": "usage_limit_reached", "resets_in_seconds": 60}}
    decision = classify(
        stream_outcome("codex", event), read("codex", {}, event, now=NOW), now=NOW, jitter=fixed
    )
    assert (decision.rule, decision.until) == ("usage_limit_reached", NOW + 60 + 6)  # grace: a tenth


# -- the table is data ---------------------------------------------------------------------------


def test_a_rule_put_first_decides() -> None:
    quiet = rule("upstream_quirk", "request", "request", status=[503], text="maintenance window")
    outcome = Outcome("openai_compatible", 503, {"error": {"message": "scheduled maintenance window"}})
    assert classify(outcome, NOTHING, now=NOW, rules=(quiet, *RULES)).action == "pass"
    assert classify(outcome, NOTHING, now=NOW, rules=RULES).action == "cool"


def test_an_answer_no_rule_matches_is_passed_on() -> None:
    decision = classify(Outcome("openai", 101), Reading(), now=NOW, level=2)
    assert (decision.action, decision.rule, decision.level) == ("pass", "unmatched", 2)


def test_every_rule_name_is_unique() -> None:
    names = [entry.name for entry in RULES]
    assert len(names) == len(set(names))
