"""The IR's usage: derived counts and merging cumulative reports."""

from __future__ import annotations

from dragoman.ir.usage import Usage


def test_derived_counts() -> None:
    usage = Usage(input_tokens=1000, cache_read_tokens=700, cache_write_tokens=200, cache_write_1h_tokens=150)
    assert (usage.uncached_input_tokens, usage.cache_write_5m_tokens) == (100, 50)
    assert Usage(input_tokens=5, cache_read_tokens=9).uncached_input_tokens == 0


def test_merge_keeps_every_count_a_newer_report_leaves_out() -> None:
    start = Usage(input_tokens=900, cache_write_tokens=300, cache_write_1h_tokens=300, output_tokens=1)
    merged = start.merge(Usage(output_tokens=40, reasoning_tokens=12))
    assert merged == Usage(
        input_tokens=900,
        output_tokens=40,
        cache_write_tokens=300,
        reasoning_tokens=12,
        cache_write_1h_tokens=300,
    )
