"""`dragoman db rotate-key`, and what every command says when the key is wrong, missing
or the stored credential was changed: one line that says what to do, no traceback, no key."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from dragoman.cli import cli
from dragoman.store.keyring import KEY_FILE, VARIABLE, new_key
from tests.gateway import closed_port

KEY = "sk-proj-rotate-0123456789"

# `accounts list` asks a dragoman answering at the config's address first: none must.
pytestmark = pytest.mark.usefixtures("no_gateway")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, terminal_width=200)


def add(label: str, env: dict[str, str] | None = None) -> None:
    added = run("accounts", "add", "--provider", "openai", "--label", label, "--api-key", KEY, env=env)
    assert added.exit_code == 0, added.output


def dragoman(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A command as a user runs it, in a process of its own."""
    environ = {**os.environ, "DRAGOMAN_HOME": str(home), **env}
    return subprocess.run(
        [sys.executable, "-m", "dragoman", *args], env=environ, capture_output=True, text=True, timeout=60
    )


def test_rotate_key_reseals_and_drops_the_old_key(dragoman_home: Path) -> None:
    add("one")
    add("two")
    old = (dragoman_home / KEY_FILE).read_text()
    rotated = run("db", "rotate-key")
    assert rotated.exit_code == 0, rotated.output
    assert rotated.output.startswith("2 accounts sealed anew with key ")
    assert f"({dragoman_home / KEY_FILE})" in rotated.output and "Keys dropped: " in rotated.output
    assert (dragoman_home / KEY_FILE).read_text() != old
    listed = run("accounts", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert len(orjson.loads(listed.output)["accounts"]) == 2


def test_rotate_key_with_the_variable_says_what_to_remove(dragoman_home: Path) -> None:
    old, new = new_key(), new_key()
    add("one", env={VARIABLE: old})
    rotated = run("db", "rotate-key", "--json", env={VARIABLE: f"{new},{old}"})
    assert rotated.exit_code == 0, rotated.output
    found = orjson.loads(rotated.output)
    assert (found["resealed"], found["source"], len(found["retired"])) == (1, VARIABLE, 1)
    assert run("accounts", "list", env={VARIABLE: new}).exit_code == 0
    shown = run("db", "rotate-key", env={VARIABLE: f"{new},{old}"}).output
    assert f"Now remove the other keys ({found['retired'][0]}) from {VARIABLE}." in shown
    assert new not in rotated.output + shown and old not in rotated.output + shown


def test_rotate_key_without_a_database(dragoman_home: Path) -> None:
    rotated = run("db", "rotate-key")
    assert rotated.exit_code == 1 and "there is no database yet at sqlite+aiosqlite:///" in rotated.output
    assert not (dragoman_home / "dragoman.db").exists() and not (dragoman_home / KEY_FILE).exists()


def test_the_wrong_key_is_one_clear_line(dragoman_home: Path) -> None:
    add("one")
    wrong = new_key()
    listed = dragoman(dragoman_home, "accounts", "list", **{VARIABLE: wrong})
    assert listed.returncode == 2
    assert "Traceback" not in listed.stderr and wrong not in listed.stderr + listed.stdout
    assert "the api_key of account 'one' was sealed with key " in listed.stderr
    assert "add it to DRAGOMAN_SECRET_KEY" in listed.stderr


def test_a_missing_key_file_and_a_malformed_variable_are_one_clear_line(dragoman_home: Path) -> None:
    add("one")
    (dragoman_home / KEY_FILE).unlink()
    listed = dragoman(dragoman_home, "accounts", "list")
    assert listed.returncode == 2 and "Traceback" not in listed.stderr
    assert (
        f"but there is no key ({VARIABLE} is unset, {dragoman_home / KEY_FILE} does not exist)"
        in listed.stderr
    )
    malformed = dragoman(dragoman_home, "accounts", "list", **{VARIABLE: "hunter2-not-a-key"})
    assert malformed.returncode == 2 and "Traceback" not in malformed.stderr
    assert f"{VARIABLE} is not a key: it must be 32 random bytes" in malformed.stderr
    assert "hunter2" not in malformed.stderr


def test_a_changed_credential_is_refused_and_the_account_can_be_removed(dragoman_home: Path) -> None:
    add("one")
    with sqlite3.connect(dragoman_home / "dragoman.db") as connection:
        connection.execute(
            "UPDATE accounts SET api_key = substr(api_key, 1, 30) || 'AAAA' || substr(api_key, 35)"
        )
    listed = dragoman(dragoman_home, "accounts", "list")
    assert listed.returncode == 2 and "Traceback" not in listed.stderr
    assert "the api_key of account 'one' fails its integrity check" in listed.stderr
    removed = run("accounts", "remove", "one")
    assert removed.exit_code == 0, removed.output


def test_serve_with_the_wrong_key_stops_at_start_with_one_line(dragoman_home: Path) -> None:
    add("one")
    wrong = new_key()
    with closed_port() as port:
        served = dragoman(dragoman_home, "serve", "--bind", f"127.0.0.1:{port}", **{VARIABLE: wrong})
    assert served.returncode == 2, served.stderr
    assert "Traceback" not in served.stderr and wrong not in served.stderr
    assert "the api_key of account 'one' was sealed with key " in served.stderr
