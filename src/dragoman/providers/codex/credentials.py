"""Adopting the Codex CLI's login: `$CODEX_HOME/auth.json`, by default
`~/.codex/auth.json` (oauth.md §1.8). Read only, never written.

    {"auth_mode": "chatgpt", "OPENAI_API_KEY": null,
     "tokens": {"id_token": JWT, "access_token": JWT, "refresh_token": "...", "account_id": "..."},
     "last_refresh": "2025-01-01T00:00:00Z"}

The refresh token rotates: once either program refreshes, the other's copy is spent,
and the Codex CLI asks for a new login (dragoman never writes the file back).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dragoman.providers.codex.runtime import CodexRuntime
from dragoman.providers.official import read_json, rfc3339
from dragoman.providers.subscription import CredentialsError
from dragoman.store.accounts import Account

DEFAULT_PATH = "~/.codex/auth.json"


def default_path(environ: Mapping[str, str] = os.environ) -> Path:
    home = environ.get("CODEX_HOME")
    return Path(home).expanduser() / "auth.json" if home else Path(DEFAULT_PATH).expanduser()


def read_official(path: Path) -> Account:
    data = read_json(path)
    tokens: dict[str, Any] = data["tokens"] if isinstance(data.get("tokens"), dict) else {}
    access, refresh = tokens.get("access_token"), tokens.get("refresh_token")
    if not isinstance(access, str) or not isinstance(refresh, str) or not access or not refresh:
        raise CredentialsError(f"{path}: no ChatGPT login in it (an API-key login cannot be adopted)")
    identity = CodexRuntime().identity({"id_token": tokens.get("id_token"), "access_token": access})
    account_id = tokens.get("account_id") if isinstance(tokens.get("account_id"), str) else None
    return Account(
        provider="codex",
        auth="oauth",
        access_token=access,
        refresh_token=refresh,
        expires_at=identity["expires_at"],
        account_id=account_id or identity["account_id"],
        email=identity["email"],
        plan=identity["plan"],
        refreshed_at=rfc3339(data.get("last_refresh")),
        extra={"imported_from": str(path)},
    )
