"""`dragoman login`, `import`, `status`, `refresh` and `logout`, run as a user runs them,
against the fake OAuth servers and backends."""

from __future__ import annotations

import sys
import threading
import webbrowser
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from click.testing import CliRunner, Result

from dragoman.auth.endpoints import subscription_kinds
from dragoman.cli import cli
from tests.fakes.oauth import FakeOAuth, User
from tests.subscriptions import Subscription, store_login, stored_logins, subscription

BOB = User(email="bob@example.org", account_id="acct-bob", plan="pro")


def run(*args: str, input: str | None = None) -> Result:
    # COLUMNS: rich draws tables at 80 columns when the output is not a terminal.
    return CliRunner().invoke(cli, list(args), input=input, terminal_width=200, env={"COLUMNS": "200"})


@pytest.fixture
def codex(dragoman_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Subscription]:
    with subscription("codex") as sub:
        dragoman_home.mkdir(parents=True, exist_ok=True)
        (dragoman_home / "config.toml").write_text("detect_ollama = false\n" + sub.toml())
        # The "browser": opens the page in another thread and follows the redirect.
        monkeypatch.setattr(webbrowser, "open", _browser)
        yield sub


@pytest.fixture
def grok(dragoman_home: Path, codex: Subscription) -> Iterator[Subscription]:
    with subscription("grok") as sub:
        with (dragoman_home / "config.toml").open("a") as config:
            config.write(sub.toml())
        yield sub


def _browser(url: str) -> bool:
    threading.Thread(target=lambda: httpx.get(url, follow_redirects=True, timeout=10), daemon=True).start()
    return True


def test_login_twice_with_two_accounts_gives_two_and_the_notice_once(
    dragoman_home: Path, codex: Subscription
) -> None:
    first = run("login", "--provider", "codex")
    assert first.exit_code == 0, first.output
    assert (
        "Logged in to codex as alice@example.com, plan plus" in first.output and "codex-alice" in first.output
    )
    assert "private interface" in first.output, "the risk notice at the first login"
    codex.oauth.user = BOB
    second = run("login", "--provider", "codex")
    assert second.exit_code == 0, second.output
    assert "codex-bob" in second.output and "private interface" not in second.output
    again = run("login", "--provider", "codex")
    assert "renewed" in again.output
    logins = stored_logins(dragoman_home)
    assert [(a.label, a.email) for a in logins] == [
        ("codex-alice", "alice@example.com"),
        ("codex-bob", "bob@example.org"),
    ]
    for login in logins:
        assert login.access_token not in first.output + second.output + again.output


def test_a_login_prints_the_account_as_the_provider_names_it(codex: Subscription) -> None:
    codex.oauth.user = User(email="ann[bold]@example.com", account_id="acct-ann", plan="pro[x]")
    result = run("login", "--provider", "codex")
    assert result.exit_code == 0, result.output
    assert "Logged in to codex as ann[bold]@example.com, plan pro[x]" in result.output


def test_no_browser_prints_the_page_and_a_label_can_be_chosen(
    codex: Subscription, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", opened.append)
    printed: list[str] = []

    def follow_printed(text: str) -> None:
        printed.append(text)
        for word in text.split():
            if "/oauth/authorize?" in word:
                _browser(word)

    # The package's `login` attribute is the command; the module is in sys.modules.
    monkeypatch.setattr(sys.modules["dragoman.cli.login"], "_say", follow_printed)
    result = run("login", "--provider", "codex", "--no-browser", "--label", "work")
    assert result.exit_code == 0, result.output
    assert opened == [] and any("/oauth/authorize?" in text for text in printed)
    assert "account 1 work added" in result.output


def test_device_login(dragoman_home: Path, grok: Subscription) -> None:
    grok.oauth.device.auto_approve = True
    grok.oauth.user = User(email="gina@example.com")
    result = run("login", "--provider", "grok")
    assert result.exit_code == 0, result.output
    assert "enter the code" in result.output and "grok-gina" in result.output
    assert [a.provider for a in stored_logins(dragoman_home)] == ["grok"]


def test_the_menu_when_no_provider_is_named(codex: Subscription) -> None:
    number = list(subscription_kinds()).index("codex") + 1
    result = run("login", input=f"{number}\n")
    assert result.exit_code == 0, result.output
    assert "codex-alice" in result.output


def test_an_unknown_provider(codex: Subscription) -> None:
    result = run("login", "--provider", "openai")
    assert result.exit_code == 1 and "'openai' has no subscription login" in result.output


def test_import_reads_the_official_file_and_never_writes_it(
    dragoman_home: Path, codex: Subscription, tmp_path: Path
) -> None:
    issued = FakeOAuth(codex.oauth.client_id).issue(User(email="erin@example.com", account_id="acct-erin"))
    official = tmp_path / "codex-home" / "auth.json"
    official.parent.mkdir()
    data = {
        "auth_mode": "chatgpt",
        "tokens": {k: issued[k] for k in ("id_token", "access_token", "refresh_token")},
    }
    official.write_bytes(orjson.dumps(data))
    before = official.stat()
    result = run("import", "codex", "--from", str(official))
    assert result.exit_code == 0, result.output
    assert "Imported codex as erin@example.com" in result.output and "will never write to it" in result.output
    [account] = stored_logins(dragoman_home)
    assert (account.label, account.access_token) == ("codex-erin", issued["access_token"])
    assert account.extra["imported_from"] == str(official)
    after = official.stat()
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)


def test_import_finds_the_default_file(
    dragoman_home: Path, codex: Subscription, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEX_HOME", str(tmp_path))
    missing = run("import", "codex")
    assert missing.exit_code == 1 and str(tmp_path / "auth.json") in missing.output
    issued = codex.oauth.issue(codex.oauth.user)
    (tmp_path / "auth.json").write_bytes(
        orjson.dumps({"tokens": {k: issued[k] for k in ("id_token", "access_token", "refresh_token")}})
    )
    assert run("import", "codex").exit_code == 0


def test_status_refresh_and_logout(dragoman_home: Path, codex: Subscription) -> None:
    alice = store_login(dragoman_home, codex)
    bob = store_login(dragoman_home, codex, BOB)
    status = run("status", "--json")
    assert status.exit_code == 0, status.output
    rows = orjson.loads(status.output)
    assert [(row["label"], row["plan"], row["health"]) for row in rows] == [
        ("codex-alice", "plus", "ok"),
        ("codex-bob", "pro", "ok"),
    ]
    assert [window["name"] for window in rows[0]["usage"]] == ["5h", "weekly"] and rows[0]["risk"]
    table = run("status")
    assert "codex-alice" in table.output and "risk:" in table.output
    assert "5h 12% (resets in 1h 59m), weekly 40%" in table.output
    for text in (status.output, table.output):
        assert alice.access_token not in text and alice.refresh_token not in text

    refreshed = run("refresh", "--provider", "codex", "--account", "codex-bob")
    assert refreshed.exit_code == 0 and "refreshed codex-bob" in refreshed.output
    assert codex.oauth.refreshes == 1

    out = run("logout", "codex", "--account", "codex-bob")
    assert out.exit_code == 0 and "Logged out codex-bob (bob@example.org): tokens revoked" in out.output
    assert bob.refresh_token not in codex.oauth.revoked, "the refreshed pair is the one revoked"
    assert len(codex.oauth.revoked) == 2
    assert [a.label for a in stored_logins(dragoman_home)] == ["codex-alice"]


def test_logout_of_a_provider_without_revocation(dragoman_home: Path, grok: Subscription) -> None:
    store_login(dragoman_home, grok)
    result = run("logout", "grok")
    assert result.exit_code == 0 and "offers no revocation" in result.output
    assert stored_logins(dragoman_home) == []
    assert run("logout", "grok").exit_code == 1


def test_accounts_add_refuses_a_subscription_kind(codex: Subscription) -> None:
    result = run("accounts", "add", "--provider", "codex", "--api-key", "sk-nothing-0000")
    assert result.exit_code == 2 and "dragoman login --provider codex" in result.output


@pytest.fixture
def gemini_cli(dragoman_home: Path, codex: Subscription) -> Iterator[Subscription]:
    with subscription("gemini_cli") as sub:
        with (dragoman_home / "config.toml").open("a") as config:
            config.write(sub.toml())
        yield sub


def test_a_gemini_cli_login_finds_the_project_at_once(dragoman_home: Path, gemini_cli: Subscription) -> None:
    result = run("login", "--provider", "gemini_cli")
    assert result.exit_code == 0, result.output
    (account,) = stored_logins(dragoman_home)
    assert account.extra["project"].endswith("-managed-project") and "setup_at" in account.extra
    assert gemini_cli.backend.calls["loadCodeAssist"] == 1  # type: ignore[attr-defined]


def test_a_personal_google_account_is_refused_at_login_with_googles_reason(
    dragoman_home: Path, gemini_cli: Subscription
) -> None:
    gemini_cli.backend.cut_off = True  # type: ignore[attr-defined]
    result = run("login", "--provider", "gemini_cli")
    assert result.exit_code == 1
    assert "login failed: Code Assist refuses this Google account" in result.output
    assert "no longer supported for Gemini Code Assist for individuals" in result.output
    assert "Traceback" not in result.output and stored_logins(dragoman_home) == []
    assert gemini_cli.backend.calls == {"loadCodeAssist": 1}  # type: ignore[attr-defined]


def test_a_code_assist_failure_at_login_leaves_the_setup_for_later(
    dragoman_home: Path, gemini_cli: Subscription
) -> None:
    gemini_cli.backend.default_tier = "standard-tier"  # type: ignore[attr-defined]
    result = run("login", "--provider", "gemini_cli")
    assert result.exit_code == 0, result.output
    assert "tried again at its first request" in result.output and "GOOGLE_CLOUD_PROJECT" in result.output
    (account,) = stored_logins(dragoman_home)
    assert "setup_at" not in account.extra


def _gemini_cli_file(tmp_path: Path, gemini_cli: Subscription, expiry_ms: float) -> Path:
    """gemini-cli's `oauth_creds.json` holding a login the fake Google issued."""
    issued = gemini_cli.oauth.issue(gemini_cli.oauth.user)
    path = tmp_path / "oauth_creds.json"
    fields = {key: issued[key] for key in ("access_token", "refresh_token", "id_token")}
    path.write_bytes(orjson.dumps({**fields, "token_type": "Bearer", "expiry_date": expiry_ms}))
    return path


def test_a_personal_google_account_is_refused_at_import_with_googles_reason(
    dragoman_home: Path, gemini_cli: Subscription, tmp_path: Path
) -> None:
    import time

    gemini_cli.backend.cut_off = True  # type: ignore[attr-defined]
    path = _gemini_cli_file(tmp_path, gemini_cli, (time.time() + 3000) * 1000)
    result = run("import", "gemini_cli", "--from", str(path))
    assert result.exit_code == 1
    assert "import refused: Code Assist refuses this Google account" in result.output
    assert "no longer supported for Gemini Code Assist for individuals" in result.output
    assert "Traceback" not in result.output and stored_logins(dragoman_home) == []
    assert gemini_cli.backend.calls == {"loadCodeAssist": 1}  # type: ignore[attr-defined]


def test_an_eligible_import_finds_its_project_and_an_expired_one_waits(
    dragoman_home: Path, gemini_cli: Subscription, tmp_path: Path
) -> None:
    import time

    fresh = _gemini_cli_file(tmp_path, gemini_cli, (time.time() + 3000) * 1000)
    assert run("import", "gemini_cli", "--from", str(fresh)).exit_code == 0
    (account,) = stored_logins(dragoman_home)
    assert account.extra["project"].endswith("-managed-project") and "setup_at" in account.extra
    # An expired token is not refreshed at import (the official CLI's to spend): no call.
    gemini_cli.backend.cut_off = True  # type: ignore[attr-defined]
    calls = dict(gemini_cli.backend.calls)  # type: ignore[attr-defined]
    stale = _gemini_cli_file(tmp_path, gemini_cli, (time.time() - 60) * 1000)
    assert run("import", "gemini_cli", "--from", str(stale)).exit_code == 0
    assert gemini_cli.backend.calls == calls  # type: ignore[attr-defined]
