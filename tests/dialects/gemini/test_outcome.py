"""Gemini usageMetadata <-> IR: the prompt already holds the cache, thoughts are apart."""

from __future__ import annotations

from dragoman.dialects.gemini.outcome import parse_usage, render_usage
from dragoman.ir.usage import Usage


def test_thoughts_join_the_output_and_cached_stays_inside_the_prompt() -> None:
    usage = parse_usage(
        {
            "promptTokenCount": 1000,
            "cachedContentTokenCount": 800,
            "candidatesTokenCount": 20,
            "thoughtsTokenCount": 50,
        }
    )
    assert usage == Usage(input_tokens=1000, output_tokens=70, cache_read_tokens=800, reasoning_tokens=50)
    assert usage.uncached_input_tokens == 200
    assert render_usage(usage) == {
        "promptTokenCount": 1000,
        "candidatesTokenCount": 20,
        "thoughtsTokenCount": 50,
        "cachedContentTokenCount": 800,
        "totalTokenCount": 1070,
    }


def test_counts_that_are_not_token_counts_are_ignored() -> None:
    usage = parse_usage({"promptTokenCount": True, "candidatesTokenCount": -4, "thoughtsTokenCount": "9"})
    assert usage == Usage()
