"""Every integer field of every dialect's request is range-checked the same way
(`dialects.fields.optional_int`): a value no upstream body can carry (past 64 bits,
once `orjson` has read `1e30` or `10**30`) is a 400 naming the field, never a 500 when
the body is serialized for the upstream."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from dragoman import dialects
from dragoman.dialects.fields import INT_MAX, INT_MIN, optional_int
from dragoman.ir.errors import InvalidRequest

HUGE = 10**30
U64_MAX = 2**64 - 1

# orjson reads an integer past 64 bits as a float: `10**30` arrives as 1e30.
PAST_64_BITS = [float(HUGE), U64_MAX, INT_MAX + 1, INT_MIN - 1, -float(HUGE)]


def test_optional_int_takes_the_64_bit_range() -> None:
    assert optional_int(INT_MAX, "n") == INT_MAX
    assert optional_int(INT_MIN, "n") == INT_MIN
    assert optional_int(8.0, "n") == 8
    assert optional_int(None, "n") is None


@pytest.mark.parametrize("value", PAST_64_BITS)
def test_optional_int_refuses_what_64_bits_cannot_hold(value: float) -> None:
    with pytest.raises(InvalidRequest) as caught:
        optional_int(value, "a.b")
    assert caught.value.param == "a.b"
    assert caught.value.message.startswith("a.b: ")
    assert "range" in caught.value.message


def test_optional_int_minimum_is_named() -> None:
    with pytest.raises(InvalidRequest, match=r"^n: expected an integer of at least 1, got 0$"):
        optional_int(0, "n", minimum=1)


def _chat(field: str) -> Callable[[Any], dict[str, Any]]:
    return lambda value: {"model": "m", "messages": [{"role": "user", "content": "hi"}], field: value}


def _responses(field: str) -> Callable[[Any], dict[str, Any]]:
    return lambda value: {"model": "m", "input": "hi", field: value}


def _anthropic(**fields: Any) -> dict[str, Any]:
    return {"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}], **fields}


def _gemini_config(field: str) -> Callable[[Any], dict[str, Any]]:
    return lambda value: {"contents": [{"parts": [{"text": "hi"}]}], "generationConfig": {field: value}}


# (dialect, the field's path, a body with `value` in that field)
INTEGER_FIELDS: list[tuple[str, str, Callable[[Any], dict[str, Any]]]] = [
    ("openai_chat", "max_tokens", _chat("max_tokens")),
    ("openai_chat", "max_completion_tokens", _chat("max_completion_tokens")),
    ("openai_chat", "seed", _chat("seed")),
    ("openai_chat", "top_k", _chat("top_k")),
    ("openai_responses", "max_output_tokens", _responses("max_output_tokens")),
    ("anthropic", "max_tokens", lambda value: _anthropic(max_tokens=value)),
    ("anthropic", "top_k", lambda value: _anthropic(top_k=value)),
    (
        "anthropic",
        "thinking.budget_tokens",
        lambda value: _anthropic(thinking={"type": "enabled", "budget_tokens": value}),
    ),
    ("gemini", "generationConfig.maxOutputTokens", _gemini_config("maxOutputTokens")),
    ("gemini", "generationConfig.topK", _gemini_config("topK")),
    ("gemini", "generationConfig.seed", _gemini_config("seed")),
    (
        "gemini",
        "generationConfig.thinkingConfig.thinkingBudget",
        lambda value: {"contents": [], "generationConfig": {"thinkingConfig": {"thinkingBudget": value}}},
    ),
]


@pytest.mark.parametrize(
    ("dialect", "path", "body"), INTEGER_FIELDS, ids=[f"{d}:{p}" for d, p, _ in INTEGER_FIELDS]
)
@pytest.mark.parametrize("value", [float(HUGE), U64_MAX], ids=["1e30", "u64max"])
def test_every_integer_field_is_range_checked(
    dialect: str, path: str, body: Callable[[Any], dict[str, Any]], value: float
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        dialects.get(dialect).request.parse(body(value))
    assert caught.value.param == path
    assert caught.value.message.startswith(f"{path}: ")


def test_gemini_int64_strings_are_range_checked_too() -> None:
    """Proto JSON writes int64 fields as strings; a string past 64 bits is no better."""
    body = _gemini_config("maxOutputTokens")(str(HUGE))
    with pytest.raises(InvalidRequest, match=r"generationConfig\.maxOutputTokens"):
        dialects.get("gemini").request.parse(body)
    assert dialects.get("gemini").request.parse(_gemini_config("maxOutputTokens")("64")).max_tokens == 64


# Over HTTP, as the issue found them: the body is JSON text, so 10**30 is written out whole.
HTTP_CASES = [
    (
        "/v1/chat/completions",
        '{"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}], "max_tokens": %d}',
        "max_tokens",
    ),
    (
        "/v1beta/models/gemini-2.5-flash:generateContent",
        '{"contents": [{"parts": [{"text": "hi"}]}], "generationConfig": {"maxOutputTokens": %d}}',
        "generationConfig.maxOutputTokens",
    ),
    ("/v1/responses", '{"model": "gpt-5", "input": "hi", "max_output_tokens": %d}', "max_output_tokens"),
    (
        "/v1/messages",
        '{"model": "claude-sonnet-4-6", "max_tokens": %d, "messages": [{"role": "user", "content": "hi"}]}',
        "max_tokens",
    ),
]


@pytest.mark.parametrize(("path", "template", "field"), HTTP_CASES, ids=[case[2] for case in HTTP_CASES])
def test_a_huge_integer_is_a_400_naming_the_field(gateway: str, path: str, template: str, field: str) -> None:
    response = httpx.post(
        gateway + path, content=template % HUGE, headers={"content-type": "application/json"}, timeout=10
    )
    assert response.status_code == 400, response.text
    assert f"{field}: " in response.text
