"""`dragoman import claude`: Claude Code's .credentials.json, as its releases write it."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from dragoman.providers.claude.credentials import DEFAULT_PATH, default_path, read_official
from dragoman.providers.subscription import CredentialsError

SCOPES = [
    "user:file_upload",
    "user:inference",
    "user:mcp_servers",
    "user:profile",
    "user:sessions:claude_code",
]


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / ".credentials.json"
    path.write_bytes(orjson.dumps(data))
    return path


def test_a_current_claude_code_file(tmp_path: Path) -> None:
    oauth = {
        "accessToken": "sk-ant-oat01-abc",
        "refreshToken": "sk-ant-ort01-def",
        "expiresAt": 1785956423181,
        "refreshTokenExpiresAt": 1788322307181,
        "scopes": SCOPES,
        "subscriptionType": "max",
        "rateLimitTier": "default_claude_max_20x",
    }
    path = write(tmp_path, {"claudeAiOauth": oauth})
    account = read_official(path)
    assert account.provider == "claude" and account.auth == "oauth"
    assert account.access_token == "sk-ant-oat01-abc" and account.refresh_token == "sk-ant-ort01-def"
    assert account.expires_at == 1785956423.181  # expiresAt is in milliseconds
    assert account.plan == "max"
    assert account.scopes == tuple(SCOPES)
    assert account.extra == {"imported_from": str(path), "rate_limit_tier": "default_claude_max_20x"}
    assert "sk-ant" not in repr(account)


def test_an_older_file_without_plan_or_scopes(tmp_path: Path) -> None:
    oauth = {
        "accessToken": "sk-ant-oat01-abc",
        "refreshToken": "sk-ant-ort01-def",
        "expiresAt": 1755956423000,
    }
    account = read_official(write(tmp_path, {"claudeAiOauth": oauth}))
    assert account.plan is None and account.scopes == ()
    assert account.expires_at == 1755956423.0


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"claudeAiOauth": {"accessToken": "sk-ant-oat01-abc"}},
        {"claudeAiOauth": "sk-ant-oat01-abc"},
        {"primaryApiKey": "sk-ant-api03-xyz"},
        [1, 2],
    ],
)
def test_a_file_without_a_login_is_refused(tmp_path: Path, data: object) -> None:
    with pytest.raises(CredentialsError):
        read_official(write(tmp_path, data))


def test_a_missing_or_broken_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="no such file"):
        read_official(tmp_path / "absent.json")
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(CredentialsError):
        read_official(tmp_path / "broken.json")


def test_the_default_path_follows_claude_config_dir(tmp_path: Path) -> None:
    assert default_path({}) == Path(DEFAULT_PATH).expanduser()
    assert default_path({"CLAUDE_CONFIG_DIR": str(tmp_path)}) == tmp_path / ".credentials.json"
