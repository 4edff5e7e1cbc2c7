"""`[pools]` settings and account policies: defaults, durations, overrides by model."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from dragoman.pools.settings import AccountPolicy, PoolSettings


def test_defaults_fill_first_one_hour_and_no_reserve() -> None:
    settings = PoolSettings()
    assert (settings.strategy, settings.session_ttl, settings.quota_reserve_percent) == (
        "fill-first",
        3600.0,
        100.0,
    )
    assert (settings.slow.factor, settings.slow.floor_seconds, settings.slow.strikes) == (2.0, 2.0, 3)


@pytest.mark.parametrize(
    ("given", "seconds"),
    [
        ("1h", 3600.0),
        ("90m", 5400.0),
        ("30s", 30.0),
        ("1h30m", 5400.0),
        ("2d", 172800.0),
        (45, 45.0),
        ("120", 120.0),
    ],
)
def test_session_ttl_takes_seconds_or_a_duration(given: object, seconds: float) -> None:
    assert PoolSettings.model_validate({"session_ttl": given}).session_ttl == seconds


@pytest.mark.parametrize("given", ["soon", "", 0, -5, "0s", True, None, math.inf, "1 hour"])
def test_session_ttl_refuses_what_is_not_a_positive_duration(given: object) -> None:
    with pytest.raises(ValidationError, match="session_ttl"):
        PoolSettings.model_validate({"session_ttl": given})


@pytest.mark.parametrize(
    "bad",
    [
        {"strategy": "random"},
        {"quota_reserve_percent": 0},
        {"quota_reserve_percent": 101},
        {"strategies": "fill-first"},
        {"models": {"gpt-5": {"strategy": "fastest"}}},
        {"slow": {"factor": 1.0}},
        {"slow": {"strikes": 0}},
    ],
)
def test_mistakes_are_errors(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PoolSettings.model_validate(bad)


def test_a_model_takes_its_exact_name_then_the_first_glob_then_the_global_strategy() -> None:
    settings = PoolSettings.model_validate(
        {
            "strategy": "headroom",
            "models": {
                "claude-*": {"strategy": "round-robin"},
                "claude-opus-*": {"strategy": "weighted"},
                "claude-opus-4-5": {"strategy": "least-used"},
            },
        }
    )
    assert settings.strategy_for("claude-opus-4-5") == "least-used"
    assert settings.strategy_for("claude-opus-4-1") == "round-robin"  # the first glob written wins
    assert settings.strategy_for("gpt-5") == "headroom"


def test_account_policy_defaults_put_every_account_in_one_tier() -> None:
    assert AccountPolicy() == AccountPolicy(priority=1, weight=1.0, max_concurrent=None, enabled=True)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"weight": 0}, "weight"),
        ({"weight": -1}, "weight"),
        ({"weight": math.inf}, "weight"),
        ({"max_concurrent": 0}, "max_concurrent"),
    ],
)
def test_account_policy_refuses_impossible_values(fields: dict[str, float], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        AccountPolicy(**fields)  # type: ignore[arg-type]
