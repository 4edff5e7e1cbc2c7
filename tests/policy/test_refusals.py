"""What a refused key reads: the limit as written, and when it frees up (`policy.refusals`)."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dragoman.ir.errors import OverBudget, PermissionDenied, RateLimited
from dragoman.policy.keys import Limit, LocalKey
from dragoman.policy.refusals import duration, is_rate, refusal, spelled, unpriced
from dragoman.state import Period, Refused
from tests.state.conftest import START

ALICE = LocalKey("alice")
MONTH = Period.fixed("month", "Europe/Paris")


@pytest.mark.parametrize(
    ("limit", "written"),
    [
        (Limit("budget", "cost", 20, MONTH), "budget 20usd/month"),
        (Limit("tokens", "tokens", 5_000_000, Period.fixed("day")), "tokens 5M/day"),
        (Limit("requests", "requests", 1000, Period.rolling(5 * 3600)), "requests 1k/5h"),
        (Limit("rpm", "requests", 60, Period.rolling(60)), "rpm 60"),
        (Limit("tpm", "tokens", 200_000, Period.rolling(60)), "tpm 200k"),
    ],
)
def test_a_limit_is_spelled_as_the_user_wrote_it(limit: Limit, written: str) -> None:
    assert spelled(limit) == written


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(0, "0s"), (45, "45s"), (11_520, "3h 12m"), (3600, "1h"), (90_061, "1d 1h"), (59.2, "1m")],
)
def test_durations_read_as_people_say_them(seconds: float, said: str) -> None:
    assert duration(seconds) == said


def test_a_budget_refusal_names_the_reset_in_the_limit_zone() -> None:
    limit = Limit("budget", "cost", 20, MONTH)
    resets = datetime(2027, 2, 1, tzinfo=ZoneInfo("Europe/Paris")).timestamp()
    error = refusal(ALICE, limit, Refused("key:alice:budget", 19.98, 20, resets), 0.12, START)
    assert isinstance(error, OverBudget) and error.status == 403 and error.retry_after is None
    assert error.message == (
        "key 'alice' is over its budget 20usd/month: $19.98 of $20.00 used, and this request needs up to "
        "$0.12; it resets at 2027-02-01 00:00 CET (in 16d 15h)"
    )


def test_a_budget_finer_than_cents_is_shown_to_its_precision() -> None:
    limit = Limit("budget", "cost", 0.036, MONTH)
    error = refusal(ALICE, limit, Refused("key:alice:budget", 0.035, 0.036, START + 60), 0.00305, START)
    assert (
        "budget 0.036usd/month: $0.0350 of $0.0360 used, and this request needs up to $0.0031;"
        in error.message
    )


def test_a_rate_refusal_is_a_429_with_seconds_to_wait() -> None:
    limit = Limit("tpm", "tokens", 200_000, Period.rolling(60))
    error = refusal(ALICE, limit, Refused("k", 199_000, 200_000, START + 12.5), 4000, START)
    assert isinstance(error, RateLimited) and error.retry_after == 12.5
    assert "reached its rate limit tpm 200k (199k tokens of 200k tokens used); try again at" in error.message
    assert "(in 13s)" in error.message
    assert is_rate(Limit("requests", "requests", 5, Period.rolling(30)))
    assert not is_rate(Limit("requests", "requests", 5, Period.rolling(3600)))


def test_a_request_that_can_never_fit_says_so() -> None:
    limit = Limit("tokens", "tokens", 1000, Period.fixed("day"))
    error = refusal(ALICE, limit, Refused("k", 0, 1000, math.inf), 5000, START)
    assert type(error) is PermissionDenied
    assert "this request alone needs 5k tokens, more than its tokens 1k/day allows" in error.message


def test_an_unpriced_model_names_the_config_to_add() -> None:
    message = unpriced(ALICE, "my-model").message
    assert "model 'my-model' has no price" in message and '[prices."my-model"]' in message
