"""`dragoman accounts` as a user runs it: prompts, masking, the database it writes."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from dragoman.cli import cli
from dragoman.cli.serve import banner
from dragoman.config import load
from dragoman.server.app import load_gateway
from dragoman.store import open_database
from dragoman.store.account_store import AccountStore
from dragoman.store.accounts import Account

KEY = "sk-proj-secret-0123456789"


# `accounts list` asks a dragoman answering at the config's address first: none must.
pytestmark = pytest.mark.usefixtures("no_gateway")


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, env=env, terminal_width=200)


def stored(home: Path) -> list[Account]:
    async def read() -> list[Account]:
        database = await open_database(f"sqlite+aiosqlite:///{home / 'dragoman.db'}")
        try:
            return await AccountStore(database.engine, database.keys).list()
        finally:
            await database.close()

    return asyncio.run(read())


def write_config(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("detect_ollama = false\n" + text)


def test_add_asks_for_the_key_out_of_sight_and_list_masks_it(dragoman_home: Path) -> None:
    result = run("accounts", "add", "--provider", "openai", input=KEY + "\n")
    assert result.exit_code == 0, result.output
    assert KEY not in result.output
    assert "sk-p***6789" in result.output
    [account] = stored(dragoman_home)
    assert (account.label, account.provider, account.api_key, account.auth) == (
        "openai",
        "openai",
        KEY,
        "api_key",
    )
    listed = run("accounts", "list", "--json")
    assert listed.exit_code == 0 and KEY not in listed.output
    [row] = orjson.loads(listed.output)["accounts"]
    assert (row["label"], row["auth"], row["dialect"]) == ("openai", "key", "openai_responses")
    assert row["key"] == "sk-p***6789"  # how its owner recognises it
    table = run("accounts", "list")
    assert table.exit_code == 0 and KEY not in table.output and "sk-p***6789" in table.output
    assert "openai" in table.output and "ready" in table.output


def test_the_database_and_home_stay_private(dragoman_home: Path) -> None:
    assert run("accounts", "add", "--provider", "anthropic", input=KEY + "\n").exit_code == 0
    assert stat.S_IMODE(dragoman_home.stat().st_mode) == 0o700
    files = list(dragoman_home.iterdir())
    assert "dragoman.db" in {path.name for path in files}  # else the loop below checks nothing
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_key_on_the_command_line_works_with_a_warning(dragoman_home: Path) -> None:
    result = run("accounts", "add", "--provider", "anthropic", "--api-key", KEY)
    assert result.exit_code == 0
    assert "shell history" in result.output and KEY not in result.output
    assert stored(dragoman_home)[0].api_key == KEY


def test_a_key_variable_is_stored_by_name_only(dragoman_home: Path) -> None:
    result = run("accounts", "add", "--provider", "openai", "--api-key-env", "WORK_OPENAI_KEY")
    assert result.exit_code == 0, result.output
    assert "WORK_OPENAI_KEY is not set here" in result.output
    [account] = stored(dragoman_home)
    assert (account.api_key, account.api_key_env) == (None, "WORK_OPENAI_KEY")


def test_an_account_whose_key_variable_is_unset_is_listed_with_why_and_steered(dragoman_home: Path) -> None:
    run("accounts", "add", "--provider", "openai", "--api-key-env", "WORK_OPENAI_KEY")
    [row] = orjson.loads(run("accounts", "list", "--json").output)["accounts"]
    assert (row["label"], row["key"], row["kind"]) == ("openai", "$WORK_OPENAI_KEY", "openai")
    assert row["state"]["status"] == "unusable"
    assert row["state"]["text"] == "unusable: the variable WORK_OPENAI_KEY is not set"
    table = run("accounts", "list").output
    assert "unusable: the variable WORK_OPENAI_KEY is not set" in table and "$WORK_OPENAI_KEY" in table
    disabled = run("accounts", "disable", "openai")
    changed = run("accounts", "set", "openai", "--priority", "3")
    assert disabled.exit_code == 0 and changed.exit_code == 0, disabled.output + changed.output
    [row] = orjson.loads(run("accounts", "list", "--json").output)["accounts"]
    assert row["policy"]["enabled"] is False and row["policy"]["priority"] == 3
    served = run("accounts", "list", "--json", env={"WORK_OPENAI_KEY": "sk-work-from-env-0042"})
    [row] = orjson.loads(served.output)["accounts"]
    assert row["state"]["status"] == "disabled" and row["key"] == "$WORK_OPENAI_KEY"


def test_a_login_is_listed_by_its_email_and_plan(dragoman_home: Path) -> None:
    login = Account(
        provider="claude",
        label="me",
        auth="oauth",
        access_token="at-0001",
        email="me@example.com",
        plan="max",
    )

    async def store() -> None:
        database = await open_database(f"sqlite+aiosqlite:///{dragoman_home / 'dragoman.db'}")
        try:
            await AccountStore(database.engine, database.keys).add(login)
        finally:
            await database.close()

    dragoman_home.mkdir(parents=True)
    asyncio.run(store())
    [row] = orjson.loads(run("accounts", "list", "--json").output)["accounts"]
    assert (row["auth"], row["key"]) == ("login", "me@example.com (max)")
    assert "me@example.com (max)" in run("accounts", "list").output


def test_labels_default_to_the_kind_then_numbered(dragoman_home: Path) -> None:
    for _ in range(3):
        assert run("accounts", "add", "--provider", "openai", "--api-key-env", "K").exit_code == 0
    assert [account.label for account in stored(dragoman_home)] == ["openai", "openai-2", "openai-3"]


def test_a_keyless_kind_is_not_asked_for_a_key(dragoman_home: Path) -> None:
    result = run(
        "accounts", "add", "--provider", "openai_compatible", "--label", "vllm",
        "--base-url", "http://127.0.0.1:8000/v1", "--model", "qwen3", "--model", "llama",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [account] = stored(dragoman_home)
    assert (account.label, account.api_key, account.models) == ("vllm", None, ("qwen3", "llama"))


def test_kind_dialect_and_base_url_are_checked_before_anything_is_stored(dragoman_home: Path) -> None:
    unknown = run("accounts", "add", "--provider", "nope", "--api-key-env", "K")
    assert unknown.exit_code == 2 and "unknown kind 'nope'" in unknown.output and "openai" in unknown.output
    foreign = run("accounts", "add", "--provider", "anthropic", "--dialect", "gemini", "--api-key-env", "K")
    assert foreign.exit_code == 2 and "anthropic speaks anthropic, not gemini" in foreign.output
    no_url = run("accounts", "add", "--provider", "openai_compatible")
    assert no_url.exit_code == 2 and "base_url: required" in no_url.output
    both = run("accounts", "add", "--provider", "openai", "--api-key", "a", "--api-key-env", "B")
    assert both.exit_code == 2 and "not both" in both.output
    bad_label = run("accounts", "add", "--provider", "openai", "--label", "a/b", "--api-key-env", "K")
    assert bad_label.exit_code == 2 and "cannot name an upstream" in bad_label.output
    assert not (dragoman_home / "dragoman.db").exists()


def test_a_label_cannot_take_a_configured_provider_name(dragoman_home: Path) -> None:
    write_config(dragoman_home, '[providers.work]\nkind = "openai_compatible"\nbase_url = "http://h/v1"\n')
    result = run("accounts", "add", "--provider", "openai", "--label", "work", "--api-key-env", "K")
    assert result.exit_code == 2 and "'work' is already taken" in result.output
    assert stored(dragoman_home) == []


def test_remove_by_label_or_id(dragoman_home: Path) -> None:
    for _ in range(2):
        run("accounts", "add", "--provider", "anthropic", "--api-key-env", "K")
    _, second = stored(dragoman_home)
    assert run("accounts", "remove", "anthropic").exit_code == 0
    result = run("accounts", "remove", str(second.id))
    assert result.exit_code == 0 and "anthropic-2" in result.output
    assert stored(dragoman_home) == []
    missing = run("accounts", "remove", "anthropic")
    assert missing.exit_code == 1 and "no account 'anthropic'" in missing.output


def test_list_and_remove_never_create_a_database(dragoman_home: Path) -> None:
    assert "No accounts yet" in run("accounts", "list").output
    assert orjson.loads(run("accounts", "list", "--json").output) == {"accounts": []}
    assert run("accounts", "remove", "x").exit_code == 1
    assert not (dragoman_home / "dragoman.db").exists()


def test_models_lists_accounts_after_the_config(dragoman_home: Path) -> None:
    write_config(
        dragoman_home,
        '[providers.cfg]\nkind = "openai_compatible"\nbase_url = "http://h/v1"\nmodels = ["shared", "own"]\n',
    )
    run("accounts", "add", "--provider", "openai_compatible", "--label", "acct",
        "--base-url", "http://127.0.0.1:9/v1", "--model", "shared", "--model", "extra")  # fmt: skip
    rows = orjson.loads(run("models", "--json").stdout)["models"]
    assert [(row["id"], row["provider"]) for row in rows] == [
        ("shared", "cfg"),
        ("own", "cfg"),
        ("extra", "acct"),
    ]
    assert [
        row["id"] for row in orjson.loads(run("models", "--provider", "acct", "--json").stdout)["models"]
    ] == ["extra"]


def test_an_account_whose_key_variable_is_unset_is_left_out_not_fatal(dragoman_home: Path) -> None:
    write_config(dragoman_home, "")
    run("accounts", "add", "--provider", "anthropic", "--label", "later", "--api-key-env", "UNSET_KEY_VAR")
    run("accounts", "add", "--provider", "openai_compatible", "--label", "fine",
        "--base-url", "http://127.0.0.1:9/v1", "--model", "m1")  # fmt: skip
    result = run("models", "--json", env={"UNSET_KEY_VAR": ""})
    assert result.exit_code == 0
    assert {row["provider"] for row in orjson.loads(result.stdout)["models"]} == {"fine"}
    with_key = run("models", "--json", env={"UNSET_KEY_VAR": "sk-ant-from-env-01"})
    assert {row["provider"] for row in orjson.loads(with_key.stdout)["models"]} == {"later", "fine"}


def test_the_serve_banner_lists_the_accounts_models(dragoman_home: Path) -> None:
    write_config(dragoman_home, "")
    run("accounts", "add", "--provider", "openai_compatible", "--label", "acct",
        "--base-url", "http://127.0.0.1:9/v1", "--model", "banner-model")  # fmt: skip
    settings = load()
    gateway = asyncio.run(load_gateway(settings, environ={}))
    console = Console(record=True, width=200)
    console.print(banner(settings, gateway.registry))
    assert "1 models: banner-model" in console.export_text()


def test_a_piped_key_is_read_without_a_getpass_warning(dragoman_home: Path) -> None:
    """A real process with a pipe for stdin: getpass would warn "input may be echoed"."""
    added = subprocess.run(
        [sys.executable, "-m", "dragoman", "accounts", "add", "--provider", "openai"],
        input=KEY + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DRAGOMAN_HOME": str(dragoman_home)},
    )
    assert added.returncode == 0, added.stderr
    assert "Warning" not in added.stderr and "echoed" not in added.stderr and KEY not in added.stdout
    [account] = stored(dragoman_home)
    assert account.api_key == KEY


def test_an_empty_piped_key_is_refused(dragoman_home: Path) -> None:
    result = run("accounts", "add", "--provider", "openai", input="\n")
    assert result.exit_code == 2 and "no key" in result.output
    assert not (dragoman_home / "dragoman.db").exists()


LONG_MODEL = "hf.co/bartowski/Qwen2.5-Coder-32B-Instruct-GGUF:Q4_K_M-long-name"


def test_account_models_are_never_cut_in_80_columns(dragoman_home: Path) -> None:
    write_config(dragoman_home, "")
    run("accounts", "add", "--provider", "openai_compatible", "--label", "vllm",
        "--base-url", "http://127.0.0.1:8000/v1", "--model", LONG_MODEL, "--model", "[x]")  # fmt: skip
    result = CliRunner().invoke(cli, ["accounts", "list"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert LONG_MODEL in result.output and "[x]" in result.output and "…" not in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_credentials_in_an_account_base_url_are_masked(dragoman_home: Path) -> None:
    url = "http://me:url-pass-000111@127.0.0.1:9/v1?api_key=query-key-000222"
    added = run("accounts", "add", "--provider", "openai_compatible", "--label", "proxied",
                "--base-url", url, "--model", "m1")  # fmt: skip
    assert added.exit_code == 0, added.output
    for shown in (added, run("accounts", "list"), run("accounts", "list", "--json")):
        assert "url-pass-000111" not in shown.output and "query-key-000222" not in shown.output
    [row] = orjson.loads(run("accounts", "list", "--json").output)["accounts"]
    assert row["base_url"] == "http://me:***@127.0.0.1:9/v1?api_key=***"
