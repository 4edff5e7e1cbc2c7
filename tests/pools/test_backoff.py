"""The exponential ladder and the jitter on named resets."""

from __future__ import annotations

import random

import pytest

from dragoman.pools.backoff import Policy, jittered, ladder


@pytest.mark.parametrize(
    ("level", "seconds"), [(0, 1), (1, 2), (2, 4), (10, 1024), (11, 1800), (40, 1800), (10**6, 1800)]
)
def test_the_ladder_doubles_from_one_second_to_thirty_minutes(level: int, seconds: float) -> None:
    assert ladder(level) == seconds


def test_the_ladder_follows_its_policy() -> None:
    assert ladder(3, Policy(backoff_first=0.5, backoff_cap=3.0)) == 3.0
    assert ladder(2, Policy(backoff_first=0.5, backoff_cap=3.0)) == 2.0


def test_jitter_is_drawn_between_zero_and_thirty_seconds() -> None:
    asked: list[tuple[float, float]] = []

    def draw(low: float, high: float) -> float:
        asked.append((low, high))
        return 7.0

    assert jittered(100.0, jitter=draw) == 107.0
    assert asked == [(0.0, 30.0)]


def test_a_seeded_jitter_repeats() -> None:
    first = jittered(100.0, jitter=random.Random(42).uniform)
    assert first == jittered(100.0, jitter=random.Random(42).uniform)
    assert 100.0 <= first <= 130.0


def test_a_jitter_out_of_bounds_is_clipped() -> None:
    assert jittered(100.0, jitter=lambda low, high: 500.0) == 130.0
    assert jittered(100.0, jitter=lambda low, high: -5.0) == 100.0


def test_the_grace_is_at_most_a_tenth_of_the_wait() -> None:
    widest = lambda low, high: high  # noqa: E731
    assert jittered(101.0, jitter=widest, now=100.0) == 101.1  # Retry-After: 1 stays about 1 s
    assert jittered(100.0 + 7 * 86400, jitter=widest, now=100.0) == 100.0 + 7 * 86400 + 30.0
    assert jittered(90.0, jitter=widest, now=100.0) == 90.0  # a reset already past: no grace
