"""Times as upstreams write them: every spelling lands on the same epoch second."""

from __future__ import annotations

import pytest

from dragoman.pools.instants import duration, epoch, finite, instant

# 2026-11-21T18:00:00Z
SIX_PM = 1795284000.0


@pytest.mark.parametrize(
    "text",
    [
        "1795284000",
        "1795284000000",  # milliseconds
        "1795284000.0",
        "2026-11-21T18:00:00Z",
        "2026-11-21T18:00:00+00:00",
        "2026-11-21T19:00:00+01:00",
        "2026-11-21T18:00:00",  # no offset: UTC
        "Sat, 21 Nov 2026 18:00:00 GMT",
        " Sat, 21 Nov 2026 18:00:00 GMT ",
    ],
)
def test_every_spelling_of_an_instant(text: str) -> None:
    assert instant(text) == SIX_PM


@pytest.mark.parametrize("text", ["", "soon", "0", "-5", "nan", "inf", "2026-13-45T00:00:00Z", "Sat, 99 Foo"])
def test_unreadable_instants_are_none(text: str) -> None:
    assert instant(text) is None


def test_milliseconds_begin_where_seconds_could_not_reach() -> None:
    assert epoch(99_999_999_999) == 99_999_999_999
    assert epoch(100_000_000_000) == 100_000_000


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("37s", 37.0),
        ("1.5s", 1.5),
        ("34.07s", 34.07),
        ("6m0s", 360.0),
        ("20ms", 0.02),
        ("1h2m3s", 3723.0),
        ("2h", 7200.0),
        ("1d", 86400.0),
        ("500us", 0.0005),
        ("120", 120.0),
        (" 5S ", 5.0),
        (90, 90.0),
        (2.5, 2.5),
        ({"seconds": 37, "nanos": 500_000_000}, 37.5),
        ({"seconds": "12"}, 12.0),
    ],
)
def test_durations(value: object, seconds: float) -> None:
    assert duration(value) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "value", ["", "s", "1x", "5 s", "1h 2m", "-3", "-3s", True, None, [], {"seconds": "x"}]
)
def test_unreadable_durations_are_none(value: object) -> None:
    assert duration(value) is None


def test_finite_refuses_what_is_not_a_number() -> None:
    assert finite("12.5") == 12.5
    assert finite(3) == 3.0
    assert [finite(value) for value in ("nan", "inf", "", "x", None, True)] == [None] * 6
