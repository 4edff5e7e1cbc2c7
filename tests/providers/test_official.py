"""The time formats official CLIs store expiries in, read exactly."""

from __future__ import annotations

from typing import Any

import pytest

from dragoman.providers.official import epoch_seconds, rfc3339


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (1_785_956_423, 1_785_956_423.0),  # seconds
        (1_785_956_423_181, 1_785_956_423.181),  # milliseconds (Claude, Google)
        (10**12, 1e12),  # the last value read as seconds
        (10**12 + 1, 1_000_000_000.001),  # the first read as milliseconds
        (1_785_956_423.5, 1_785_956_423.5),
    ],
)
def test_epoch_seconds_tells_seconds_from_milliseconds(value: float, seconds: float) -> None:
    assert epoch_seconds(value) == seconds


@pytest.mark.parametrize("value", [None, True, "1785956423", [1]])
def test_epoch_seconds_of_anything_else_is_none(value: Any) -> None:
    assert epoch_seconds(value) is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("2026-12-01T08:30:00Z", 1_796_113_800.0),
        ("2026-12-01T08:30:00.123456789Z", 1_796_113_800.123456),
        ("2026-12-01T10:30:00+02:00", 1_796_113_800.0),
        ("2026-12-01T08:30:00.5z", 1_796_113_800.5),
    ],
)
def test_rfc3339_is_read_to_the_microsecond(text: str, seconds: float) -> None:
    assert rfc3339(text) == seconds


@pytest.mark.parametrize("value", [None, "", "yesterday", 1_796_113_800])
def test_rfc3339_of_anything_else_is_none(value: Any) -> None:
    assert rfc3339(value) is None
