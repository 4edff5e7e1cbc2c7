"""The option strings of local keys: every form read, every mistake named."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dragoman.policy import quantities
from dragoman.policy.keys import Limit
from dragoman.policy.quantities import QuantityError
from dragoman.state.records import Period

PARIS = "Europe/Paris"
NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("option", "text", "expected"),
    [
        ("budget", "20usd/month", Limit("budget", "cost", 20.0, Period.fixed("month", PARIS))),
        ("budget", "$20/month", Limit("budget", "cost", 20.0, Period.fixed("month", PARIS))),
        ("budget", "2.5USD/5h", Limit("budget", "cost", 2.5, Period.rolling(5 * 3600, PARIS))),
        ("budget", "3/day", Limit("budget", "cost", 3.0, Period.fixed("day", PARIS))),
        ("tokens", "5M/day", Limit("tokens", "tokens", 5_000_000, Period.fixed("day", PARIS))),
        ("tokens", "200k/week", Limit("tokens", "tokens", 200_000, Period.fixed("week", PARIS))),
        ("tokens", "1.5k/30m", Limit("tokens", "tokens", 1_500, Period.rolling(1800, PARIS))),
        ("requests", "1000/day", Limit("requests", "requests", 1000, Period.fixed("day", PARIS))),
        ("requests", "10/90s", Limit("requests", "requests", 10, Period.rolling(90, PARIS))),
        ("requests", "10/2d", Limit("requests", "requests", 10, Period.rolling(2 * 86400, PARIS))),
        ("rpm", "60", Limit("rpm", "requests", 60, Period.rolling(60, PARIS))),
        ("rpm", 60, Limit("rpm", "requests", 60, Period.rolling(60, PARIS))),
        ("tpm", "200k", Limit("tpm", "tokens", 200_000, Period.rolling(60, PARIS))),
        ("tpm", "1M", Limit("tpm", "tokens", 1_000_000, Period.rolling(60, PARIS))),
    ],
)
def test_each_form_is_read(option: str, text: object, expected: Limit) -> None:
    assert quantities.limit(option, text, PARIS) == expected


@pytest.mark.parametrize(
    ("option", "text", "said"),
    [
        ("budget", "20usd", "expected an amount per period, e.g. 20usd/month"),
        ("budget", "20eur/month", "expected an amount in US dollars like 20usd or $20"),
        ("budget", "$20usd/month", "expected an amount in US dollars"),
        ("budget", "0usd/day", "must be more than 0"),
        ("budget", "20usd/fortnight", "expected a period: day, week, month or a span like 5h"),
        ("tokens", "5X/day", "expected a number like 1000, 200k or 5M"),
        ("tokens", "5M/0h", "expected a period"),
        ("requests", "-1/day", "expected a number"),
        ("rpm", "sixty", "expected a number like 1000, 200k or 5M"),
        ("rpm", 0, "must be more than 0"),
        ("tpm", "200k/day", "expected a number"),
    ],
)
def test_each_mistake_names_the_option_and_the_text(option: str, text: object, said: str) -> None:
    with pytest.raises(QuantityError) as raised:
        quantities.limit(option, text, PARIS)
    assert str(raised.value).startswith(f"--{option} {text!r}: ")
    assert said in str(raised.value)


def test_limits_reads_the_options_set_in_order() -> None:
    found = quantities.limits({"tpm": "1k", "budget": "$1/day", "tokens": None, "models": ["x"]}, "UTC")
    assert [limit.name for limit in found] == ["budget", "tpm"]
    assert found[0].period == Period.fixed("day", "UTC")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", NOW + 30 * 86400),
        ("12h", NOW + 12 * 3600),
        ("20s", NOW + 20),
        ("2027-01-31", datetime(2027, 1, 31, tzinfo=ZoneInfo(PARIS)).timestamp()),
        ("2027-01-31T18:00:00", datetime(2027, 1, 31, 18, tzinfo=ZoneInfo(PARIS)).timestamp()),
        ("2027-01-31T18:00:00+00:00", datetime(2027, 1, 31, 18, tzinfo=ZoneInfo("UTC")).timestamp()),
    ],
)
def test_expiry_forms(text: str, expected: float) -> None:
    assert quantities.expiry(text, NOW, PARIS) == expected


@pytest.mark.parametrize("text", ["soon", "30 days", "0d", "2027-13-01"])
def test_a_bad_expiry_is_named(text: str) -> None:
    with pytest.raises(QuantityError) as raised:
        quantities.expiry(text, NOW)
    assert str(raised.value).startswith(f"--expires {text!r}: ")


def test_when_is_utc_iso() -> None:
    assert quantities.when(0) == "1970-01-01T00:00:00Z"
