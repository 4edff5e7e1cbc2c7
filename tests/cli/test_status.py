"""`dragoman status` and `dragoman refresh` as a user runs them: what an account's row
says after an import and after a failed refresh, and a provider that does not exist."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from dragoman.auth.endpoints import subscription_kinds
from tests.cli.test_login import run
from tests.fakes.oauth import User
from tests.subscriptions import Subscription, store_login, subscription


@pytest.fixture
def codex(dragoman_home: Path) -> Iterator[Subscription]:
    """The fake Codex OAuth server and backend, named in this home's config.toml."""
    with subscription("codex") as sub:
        dragoman_home.mkdir(parents=True, exist_ok=True)
        (dragoman_home / "config.toml").write_text("detect_ollama = false\n" + sub.toml())
        yield sub


UNKNOWN = [
    ("status", "--provider", "nosuch"),
    ("status", "--provider", "nosuch", "--json"),
    ("status", "--provider", "nosuch", "--no-usage"),
    ("refresh", "--provider", "nosuch"),
    ("refresh", "--provider", "nosuch", "--json"),
    ("logout", "nosuch"),
    ("login", "--provider", "nosuch"),
    ("import", "nosuch"),
]


@pytest.mark.parametrize("args", UNKNOWN, ids=" ".join)
def test_a_provider_that_does_not_exist_is_named_and_exits_1(codex: Subscription, args: tuple[str]) -> None:
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert "no provider 'nosuch'" in result.output
    assert all(kind in result.output for kind in subscription_kinds()), "the known ones are listed"


@pytest.mark.parametrize(
    "args", [("status", "--provider", "openai"), ("refresh", "--provider", "openai"), ("logout", "openai")]
)
def test_a_provider_without_subscription_logins_says_so_and_exits_1(
    codex: Subscription, args: tuple[str]
) -> None:
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert "'openai' has no subscription login" in result.output


FAILURES = [
    (400, {"error": "invalid_grant", "error_description": "the grant [id 7] was revoked"}, "login needed"),
    (500, {"error": "server_error", "error_description": "token service [eu-1] down"}, "refresh failed"),
]


@pytest.mark.parametrize(("code", "body", "health"), FAILURES, ids=["invalid_grant", "500"])
def test_a_failed_refresh_shows_in_the_health_until_one_succeeds(
    dragoman_home: Path, codex: Subscription, code: int, body: dict[str, str], health: str
) -> None:
    account = store_login(dragoman_home, codex)
    codex.oauth.refresh_failure = (code, body)
    failed = run("refresh")
    assert failed.exit_code == 1 and body["error_description"] in failed.output, failed.output
    as_json, table = run("status", "--json", "--no-usage"), run("status", "--no-usage")
    [row] = orjson.loads(as_json.output)
    assert row["health"] == health and body["error_description"] in row["problem"]
    assert health in table.output and body["error_description"] in table.output
    for text in (failed.output, as_json.output, table.output):
        assert account.access_token not in text and account.refresh_token not in text

    codex.oauth.refresh_failure = None
    assert run("refresh").exit_code == 0
    [row] = orjson.loads(run("status", "--json", "--no-usage").output)
    assert (row["health"], row["problem"]) == ("ok", None)


def _codex_file(folder: Path, issued: dict[str, Any], last_refresh: str | None) -> Path:
    data: dict[str, Any] = {"tokens": {k: issued[k] for k in ("id_token", "access_token", "refresh_token")}}
    if last_refresh is not None:
        data["last_refresh"] = last_refresh
    path = folder / "auth.json"
    path.write_bytes(orjson.dumps(data))
    return path


def _refreshed_cell(output: str, label: str) -> str:
    [line] = [line for line in output.splitlines() if f" {label} " in line]
    return line.split("│")[5].strip()


def test_an_imported_login_shows_when_its_file_says_it_was_refreshed(
    dragoman_home: Path, codex: Subscription, tmp_path: Path
) -> None:
    three_days_ago = datetime.now(UTC) - timedelta(days=3, minutes=5)
    path = _codex_file(tmp_path, codex.oauth.issue(codex.oauth.user), three_days_ago.isoformat())
    assert run("import", "codex", "--from", str(path)).exit_code == 0
    [row] = orjson.loads(run("status", "--json", "--no-usage").output)
    assert row["refreshed_at"] == pytest.approx(three_days_ago.timestamp(), abs=1e-3)
    assert _refreshed_cell(run("status", "--no-usage").output, "codex-alice") == "3d 0h ago"


def test_an_imported_login_of_unknown_age_was_never_refreshed_by_dragoman(
    dragoman_home: Path, codex: Subscription, tmp_path: Path
) -> None:
    path = _codex_file(tmp_path, codex.oauth.issue(codex.oauth.user), None)
    assert run("import", "codex", "--from", str(path)).exit_code == 0
    [row] = orjson.loads(run("status", "--json", "--no-usage").output)
    assert row["refreshed_at"] is None
    assert _refreshed_cell(run("status", "--no-usage").output, "codex-alice") == "never by dragoman"
    assert run("refresh").exit_code == 0
    assert _refreshed_cell(run("status", "--no-usage").output, "codex-alice") == "just now"


def test_what_a_provider_says_is_printed_as_it_is_not_read_as_markup(
    dragoman_home: Path, codex: Subscription
) -> None:
    store_login(
        dragoman_home, codex, User(email="ann[bold]@example.com", account_id="acct-ann", plan="pro[x]")
    )
    table = run("status", "--no-usage").output
    assert "ann[bold]@example.com" in table and "pro[x]" in table
    out = run("logout", "codex").output
    assert "(ann[bold]@example.com)" in out
