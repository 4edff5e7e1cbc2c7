"""Cost estimates: normalised usage times the model's price, by kind of token."""

from __future__ import annotations

import pytest

from dragoman.dialects.anthropic.usage import parse_usage as anthropic_usage
from dragoman.dialects.openai_chat.response import parse_usage as chat_usage
from dragoman.ir.usage import Usage
from dragoman.observe.cost import estimate
from dragoman.observe.prices import Price, PriceTable


def test_each_kind_of_token_at_its_own_rate() -> None:
    # Claude Code's usual turn: most of the prompt from the cache, a 1 h write.
    usage = anthropic_usage(
        {
            "input_tokens": 100,
            "cache_read_input_tokens": 20_000,
            "cache_creation_input_tokens": 3_000,
            "cache_creation": {"ephemeral_5m_input_tokens": 1_000, "ephemeral_1h_input_tokens": 2_000},
            "output_tokens": 500,
            "output_tokens_details": {"thinking_tokens": 200},
        }
    )
    cost = estimate("claude-opus-5-5-20260922", usage, subscription=False)
    assert cost is not None
    assert cost.model == "claude-opus-5-5"
    assert cost.input == pytest.approx(100 * 4e-6)
    assert cost.cache_read == pytest.approx(20_000 * 0.2e-6)
    assert cost.cache_write == pytest.approx(1_000 * 5e-6 + 2_000 * 8e-6)
    assert (cost.output, cost.reasoning) == (pytest.approx(300 * 20e-6), pytest.approx(200 * 20e-6))
    assert cost.total == pytest.approx(0.0004 + 0.004 + 0.021 + 0.006 + 0.004)
    assert (cost.estimate, cost.label) == (False, "API price")


def test_openai_cached_tokens_are_not_charged_twice() -> None:
    usage = chat_usage(
        {"prompt_tokens": 10_000, "completion_tokens": 100, "prompt_tokens_details": {"cached_tokens": 8_000}}
    )
    cost = estimate("gpt-5", usage, subscription=False)
    assert cost is not None
    assert cost.input == pytest.approx(2_000 * 1.25e-6)
    assert cost.cache_read == pytest.approx(8_000 * 0.125e-6)


def test_a_subscription_gets_an_estimate_labelled_as_such() -> None:
    cost = estimate("gpt-6.1-sol", Usage(input_tokens=100_000, output_tokens=100_000), subscription=True)
    assert cost is not None
    assert cost.total == pytest.approx(0.2 + 1.0)
    assert cost.estimate
    assert "estimate" in cost.label


def test_a_long_prompt_bills_the_whole_request_at_the_long_rates() -> None:
    usage = Usage(input_tokens=300_000, cache_read_tokens=100_000, output_tokens=1_000)
    cost = estimate("gpt-6.1-sol", usage, subscription=False)
    assert cost is not None
    assert (cost.input, cost.cache_read, cost.output) == (
        pytest.approx(200_000 * 4e-6),
        pytest.approx(100_000 * 0.2e-6),
        pytest.approx(1_000 * 15e-6),
    )


def test_a_separate_reasoning_rate_applies_to_reasoning_only() -> None:
    table = PriceTable({"m": Price(input=1, output=10, reasoning=2)}, builtin={})
    cost = estimate("m", Usage(output_tokens=1_000, reasoning_tokens=600), subscription=False, table=table)
    assert cost is not None
    assert (cost.output, cost.reasoning) == (pytest.approx(400 * 10e-6), pytest.approx(600 * 2e-6))


def test_no_price_no_estimate() -> None:
    assert estimate("llama3.2", Usage(input_tokens=5), subscription=False) is None


def test_no_tokens_cost_nothing() -> None:
    cost = estimate("gemini-2.5-flash", Usage(), subscription=True)
    assert cost is not None and cost.total == 0
