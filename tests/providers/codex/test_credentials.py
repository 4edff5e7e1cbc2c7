"""Adopting the Codex CLI's auth.json, in each layout it has written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from dragoman.auth.tokens import jwt_claims
from dragoman.providers.codex.credentials import default_path, read_official
from dragoman.providers.subscription import CredentialsError
from tests.fakes.oauth import FakeOAuth, User


def write(path: Path, data: Any) -> Path:
    path.write_bytes(orjson.dumps(data))
    return path


def tokens() -> dict[str, Any]:
    return FakeOAuth().issue(User(email="dave@example.com", account_id="acct-dave", plan="team"))


def test_the_current_layout(tmp_path: Path) -> None:
    issued = tokens()
    data = {
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": None,
        "tokens": {
            "id_token": issued["id_token"],
            "access_token": issued["access_token"],
            "refresh_token": issued["refresh_token"],
            "account_id": "acct-dave",
        },
        "last_refresh": "2026-11-02T10:00:00.123456789Z",
    }
    account = read_official(write(tmp_path / "auth.json", data))
    assert (account.provider, account.auth, account.email, account.account_id, account.plan) == (
        "codex",
        "oauth",
        "dave@example.com",
        "acct-dave",
        "team",
    )
    assert account.access_token == issued["access_token"] and account.refresh_token == issued["refresh_token"]
    assert account.expires_at == float(jwt_claims(issued["access_token"])["exp"])
    assert account.refreshed_at == 1793613600.123456


def test_an_old_layout_without_account_id_reads_it_from_the_id_token(tmp_path: Path) -> None:
    issued = tokens()
    data = {
        "OPENAI_API_KEY": None,
        "tokens": {k: issued[k] for k in ("id_token", "access_token", "refresh_token")},
    }
    account = read_official(write(tmp_path / "auth.json", data))
    assert account.account_id == "acct-dave" and account.refreshed_at is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"auth_mode": "apikey", "OPENAI_API_KEY": "sk-x"}, "no ChatGPT login"),
        ({"tokens": {"access_token": "a"}}, "no ChatGPT login"),
        ([1, 2], "not a JSON object"),
        ("not json", "not JSON"),
    ],
)
def test_files_without_a_login(tmp_path: Path, content: Any, message: str) -> None:
    path = tmp_path / "auth.json"
    path.write_bytes(content.encode() if isinstance(content, str) else orjson.dumps(content))
    with pytest.raises(CredentialsError, match=message):
        read_official(path)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="no such file"):
        read_official(tmp_path / "missing.json")


def test_default_path_follows_codex_home(tmp_path: Path) -> None:
    assert default_path({"CODEX_HOME": str(tmp_path)}) == tmp_path / "auth.json"
    assert default_path({}) == Path("~/.codex/auth.json").expanduser()
