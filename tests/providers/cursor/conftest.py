"""The fake Cursor, and logins stored as `dragoman login --provider cursor` stores them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dragoman.auth.login import account_from_facts
from dragoman.auth.tokens import token_facts
from dragoman.providers.cursor import SPEC
from dragoman.providers.cursor.auth import token_answer
from dragoman.store.accounts import Account
from tests.fakes.cursor import CursorFake


@pytest.fixture
def cursor() -> Iterator[CursorFake]:
    fake = CursorFake().start()
    try:
        yield fake
    finally:
        fake.stop()


def cursor_login(cursor: CursorFake) -> Account:
    """An unsaved login with tokens the fake issued."""
    return account_from_facts("cursor", token_facts(SPEC, token_answer(cursor.new_tokens())))


def write_config(home: Path, cursor: CursorFake) -> None:
    lines = ["detect_ollama = false", "[oauth.cursor]"]
    lines += [f'{key} = "{value}"' for key, value in cursor.settings()["cursor"].items()]
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("\n".join(lines) + "\n")
