"""`dragoman import gemini_cli`: Gemini CLI's oauth_creds.json (google-auth-library's layout)."""

from __future__ import annotations

import base64
from pathlib import Path

import orjson
import pytest

from dragoman.providers.gemini_cli.credentials import read_official
from dragoman.providers.subscription import CredentialsError

SCOPES = (
    "https://www.googleapis.com/auth/cloud-platform",
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/userinfo.profile",
)


def id_token(**claims: object) -> str:
    payload = base64.urlsafe_b64encode(orjson.dumps(claims)).rstrip(b"=").decode()
    return f"eyJhbGciOiJSUzI1NiJ9.{payload}.c2lnbmF0dXJl"


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "oauth_creds.json"
    path.write_bytes(orjson.dumps(data))
    return path


def test_a_gemini_cli_file(tmp_path: Path) -> None:
    data = {
        "access_token": "ya29.a0AfB",
        "refresh_token": "1//0gXyz",
        "scope": " ".join(SCOPES),
        "token_type": "Bearer",
        "id_token": id_token(email="ada@example.com", sub="1098765"),
        "expiry_date": 1785956423181,
    }
    path = write(tmp_path, data)
    account = read_official(path)
    assert account.provider == "gemini_cli" and account.auth == "oauth"
    assert account.access_token == "ya29.a0AfB" and account.refresh_token == "1//0gXyz"
    assert account.expires_at == 1785956423.181  # expiry_date is in milliseconds
    assert account.email == "ada@example.com" and account.account_id == "1098765"
    assert account.scopes == SCOPES
    assert account.extra == {"imported_from": str(path)}


def test_a_file_without_id_token_or_expiry(tmp_path: Path) -> None:
    account = read_official(write(tmp_path, {"access_token": "ya29.x", "refresh_token": "1//y"}))
    assert account.email is None and account.expires_at is None and account.scopes == ()


@pytest.mark.parametrize("data", [{}, {"access_token": "ya29.x"}, {"refresh_token": "1//y"}, ["ya29.x"]])
def test_a_file_without_a_login_is_refused(tmp_path: Path, data: object) -> None:
    with pytest.raises(CredentialsError):
        read_official(write(tmp_path, data))
