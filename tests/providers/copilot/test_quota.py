"""Copilot's quota from its user endpoint: the metered kinds as usage windows, shown by
`dragoman status` (read with the login's GitHub token at the configured quota_url)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson

from dragoman.providers.copilot.quota import reset_time, windows
from tests.cli.test_login import run
from tests.fakes.copilot import CopilotFake
from tests.providers.copilot.conftest import store_copilot_login

JANUARY = datetime(2027, 1, 1, tzinfo=UTC).timestamp()


def _config(home: Path, copilot: CopilotFake) -> None:
    lines = ["detect_ollama = false", "[oauth.copilot]"]
    lines += [f'{key} = "{value}"' for key, value in copilot.settings()["copilot"].items()]
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("\n".join(lines) + "\n")


def test_status_shows_the_premium_requests_used(copilot: CopilotFake, dragoman_home: Path) -> None:
    _config(dragoman_home, copilot)
    store_copilot_login(dragoman_home, copilot)
    copilot.premium_remaining = 25.0
    result = run("status", "--json")
    assert result.exit_code == 0, result.output
    [row] = orjson.loads(result.output)
    assert row["plan"] == "copilot_pro"
    # Chat and completions are unlimited on this plan: no window for them.
    assert [(window["name"], window["used_percent"]) for window in row["usage"]] == [("premium", 75.0)]
    assert row["usage"][0]["resets_at"] == JANUARY


def test_unlimited_and_malformed_snapshots_are_not_windows() -> None:
    answer = {
        "quota_reset_date": "2027-01-01",
        "quota_snapshots": {
            "premium_interactions": {"percent_remaining": "lots"},
            "chat": {"percent_remaining": 100.0, "unlimited": True},
            "completions": {"percent_remaining": 90.0, "unlimited": False},
        },
    }
    assert windows(answer) == [{"name": "completions", "used_percent": 10.0, "resets_at": JANUARY}]
    assert windows({"quota_snapshots": None}) == [] and windows(["not", "an", "object"]) == []


def test_reset_dates_as_dates_or_times() -> None:
    assert reset_time("2027-01-01") == JANUARY
    assert reset_time("2027-01-01T00:00:00Z") == JANUARY
    assert reset_time("soon") is None and reset_time(None) is None
