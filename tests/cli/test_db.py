"""`dragoman db upgrade`, and commands (`serve` among them) refusing a schema they do
not serve: newer than theirs on any backend, older on a shared one."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dragoman.cli import cli
from dragoman.store.migrations import HEAD, LATEST
from tests.databases import on_postgres

pytestmark = pytest.mark.usefixtures("no_gateway")

ADD = ("accounts", "add", "--provider", "openai", "--api-key-env", "OPENAI_API_KEY")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, terminal_width=300)


def test_db_upgrade_makes_then_leaves_the_home_database(dragoman_home: Path) -> None:
    made = run("db", "upgrade")
    assert made.exit_code == 0, made.output
    assert f"schema upgraded from an empty database to revision {HEAD}." in made.output
    assert (dragoman_home / "dragoman.db").exists()
    again = run("db", "upgrade")
    assert f"schema already at revision {HEAD}, the latest." in again.output


def test_a_shared_database_is_upgraded_by_db_upgrade_alone(postgres_url: str) -> None:
    asyncio.run(on_postgres(postgres_url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    env = {"DRAGOMAN_DATABASE_URL": postgres_url, "OPENAI_API_KEY": "sk-test-db-0001"}
    refused = run(*ADD, env=env)
    assert refused.exit_code == 2
    assert refused.output.strip().endswith(
        f"its schema is empty, this dragoman needs {HEAD}: run `dragoman db upgrade`"
    )
    upgraded = run("db", "upgrade", env=env)
    assert upgraded.exit_code == 0 and f"to revision {HEAD}" in upgraded.output
    assert run(*ADD, env=env).exit_code == 0
    listed = run("accounts", "list", env=env)
    assert listed.exit_code == 0 and "openai" in listed.output


def test_db_upgrade_waits_for_a_silent_database_server_no_longer_than_its_connect_timeout() -> None:
    """A server that takes the connection and never answers (a wedged PostgreSQL): the
    `[database]` table's connect_timeout bounds the wait, as it does for `serve`."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections complete in the backlog; nothing ever reads them
        url = f"postgresql+asyncpg://dragoman@127.0.0.1:{silent.getsockname()[1]}/dragoman"
        env = {"DRAGOMAN_DATABASE_URL": url, "DRAGOMAN_DATABASE__CONNECT_TIMEOUT": "0.5"}
        started = time.monotonic()
        refused = run("db", "upgrade", env=env)
        took = time.monotonic() - started
    assert refused.exit_code == 2, refused.output
    assert "no answer within 0.5 s (the [database] connect_timeout)" in refused.output
    assert took < 5  # the default, 10 s, when the table was not read


@pytest.mark.parametrize(
    "command", [("serve", "--bind", "127.0.0.1:1"), ("accounts", "list"), ("db", "upgrade")]
)
def test_a_schema_newer_than_this_dragoman_stops_every_command(
    database_url: str, command: tuple[str, ...]
) -> None:
    env = {"DRAGOMAN_DATABASE_URL": database_url, "OPENAI_API_KEY": "sk-test-db-0002"}
    assert run(*ADD, env=env).exit_code == 0  # an account: `serve` opens the database at once
    asyncio.run(_newer(database_url))
    refused = run(*command, env=env)
    assert refused.exit_code == 2, refused.output
    [line] = refused.output.strip().splitlines()[-1:]
    assert f"its schema is at revision {LATEST + 1:04d}, newer than this dragoman" in line
    assert line.endswith("upgrade dragoman") and "Traceback" not in refused.output


async def _newer(url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text(f"UPDATE alembic_version SET version_num = '{LATEST + 1:04d}'"))
    await engine.dispose()


def test_serve_refuses_a_newer_sqlite_file_even_with_nothing_to_serve_in_it(dragoman_home: Path) -> None:
    # With no account in it, `serve` would not open the file until its first trace,
    # stored response or batch: it looks at the schema's revision before starting.
    assert run("db", "upgrade").exit_code == 0
    path = dragoman_home / "dragoman.db"
    with sqlite3.connect(path) as connection:
        connection.execute(f"UPDATE alembic_version SET version_num = '{LATEST + 1:04d}'")
    refused = run("serve", "--bind", "127.0.0.1:1")
    assert refused.exit_code == 2, refused.output
    assert refused.output.strip().endswith("upgrade dragoman")
    assert f"at revision {LATEST + 1:04d}, newer than this dragoman" in refused.output
