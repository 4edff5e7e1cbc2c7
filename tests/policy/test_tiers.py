"""Tier order and how `auto` names a profile."""

from __future__ import annotations

from dragoman.policy.tiers import TIERS, above, higher, profile_of


def test_tiers_are_ordered_and_climb_one_at_a_time() -> None:
    assert TIERS == ("simple", "medium", "complex", "reasoning")
    assert higher("medium", "complex") == higher("complex", "medium") == "complex"
    assert [above(tier) for tier in TIERS] == ["medium", "complex", "reasoning", "reasoning"]


def test_auto_and_its_profiles_are_recognised() -> None:
    assert profile_of("auto") == ""
    assert profile_of("auto/cheap") == "cheap"
    assert profile_of("automatic") is None
    assert profile_of("openai/auto") is None
    assert profile_of("gpt-5") is None
