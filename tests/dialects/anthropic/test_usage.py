"""Anthropic usage <-> IR: its input_tokens leave out the cache, the IR's do not."""

from __future__ import annotations

from dragoman.dialects.anthropic.usage import parse_usage, render_usage
from dragoman.ir.usage import Usage

WIRE = {
    "input_tokens": 30,
    "cache_creation_input_tokens": 500,
    "cache_read_input_tokens": 2000,
    "cache_creation": {"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 400},
    "output_tokens": 70,
    "service_tier": "standard",
}


def test_parse_adds_the_cache_to_the_prompt_and_keeps_the_1h_writes() -> None:
    assert parse_usage(WIRE) == Usage(
        input_tokens=2530,
        output_tokens=70,
        cache_read_tokens=2000,
        cache_write_tokens=500,
        cache_write_1h_tokens=400,
    )


def test_render_gives_back_the_same_numbers() -> None:
    rendered = render_usage(parse_usage(WIRE))
    assert rendered == {key: value for key, value in WIRE.items() if key != "service_tier"}


def test_render_without_cache_writes_has_no_breakdown() -> None:
    assert render_usage(Usage(input_tokens=12, output_tokens=3)) == {
        "input_tokens": 12,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 3,
    }


def test_a_1h_count_larger_than_the_writes_is_capped() -> None:
    usage = parse_usage(
        {"cache_creation_input_tokens": 5, "cache_creation": {"ephemeral_1h_input_tokens": 9}}
    )
    assert (usage.cache_write_tokens, usage.cache_write_1h_tokens) == (5, 5)
