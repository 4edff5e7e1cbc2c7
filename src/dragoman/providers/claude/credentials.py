"""Adopting Claude Code's login: `~/.claude/.credentials.json`, or `.credentials.json` in
CLAUDE_CONFIG_DIR (oauth.md §2.6). Read only, never written.

    {"claudeAiOauth": {"accessToken": "sk-ant-oat01-...", "refreshToken": "sk-ant-ort01-...",
                       "expiresAt": 1785956423181, "scopes": [...],
                       "subscriptionType": "max", "rateLimitTier": "default_claude_max_20x"}}

`expiresAt` is in milliseconds. On macOS Claude Code keeps the same JSON in the Keychain
(service "Claude Code-credentials") instead: save it to a file and pass `--from`. The
refresh token rotates: once either program refreshes, the other's copy is spent.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dragoman.providers.official import epoch_seconds, read_json
from dragoman.providers.subscription import CredentialsError
from dragoman.store.accounts import Account

DEFAULT_PATH = "~/.claude/.credentials.json"


def default_path(environ: Mapping[str, str] = os.environ) -> Path:
    folder = environ.get("CLAUDE_CONFIG_DIR")
    return Path(folder).expanduser() / ".credentials.json" if folder else Path(DEFAULT_PATH).expanduser()


def read_official(path: Path) -> Account:
    oauth = read_json(path).get("claudeAiOauth")
    oauth = oauth if isinstance(oauth, dict) else {}
    access, refresh = _text(oauth.get("accessToken")), _text(oauth.get("refreshToken"))
    if access is None or refresh is None:
        raise CredentialsError(f"{path}: no Claude login in it (claudeAiOauth.accessToken and refreshToken)")
    scopes = oauth.get("scopes")
    extra: dict[str, Any] = {"imported_from": str(path)}
    if _text(oauth.get("rateLimitTier")):
        extra["rate_limit_tier"] = oauth["rateLimitTier"]
    return Account(
        provider="claude",
        auth="oauth",
        access_token=access,
        refresh_token=refresh,
        expires_at=epoch_seconds(oauth.get("expiresAt")),
        plan=_text(oauth.get("subscriptionType")),
        scopes=tuple(scope for scope in scopes if isinstance(scope, str)) if isinstance(scopes, list) else (),
        extra=extra,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
