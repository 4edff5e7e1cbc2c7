"""Adopting the Grok CLI's login: `$GROK_HOME/auth.json`, by default `~/.grok/auth.json`
(oauth.md §4.5). Read only, never written.

An object keyed by `"<issuer>::<client_id>"`; an OIDC login's value holds the access
token as `key`, with `refresh_token`, `expires_at` (RFC 3339), `email`, `user_id`. Keys
that are plain URLs hold API keys, which are not logins and are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dragoman.providers.grok.runtime import GrokRuntime
from dragoman.providers.official import read_json, rfc3339
from dragoman.providers.subscription import CredentialsError
from dragoman.store.accounts import Account

DEFAULT_PATH = "~/.grok/auth.json"
CLIENT_ID = "b1a00492-073a-47ea-816f-4c329264a828"


def default_path(environ: Mapping[str, str] = os.environ) -> Path:
    home = environ.get("GROK_HOME")
    return Path(home).expanduser() / "auth.json" if home else Path(DEFAULT_PATH).expanduser()


def read_official(path: Path) -> Account:
    entry = _login_entry(read_json(path))
    if entry is None:
        raise CredentialsError(f"{path}: no Grok login in it (API keys cannot be adopted as logins)")
    access, refresh = entry["key"], entry["refresh_token"]
    identity = GrokRuntime().identity({"access_token": access})
    user_id = entry.get("user_id")
    return Account(
        provider="grok",
        auth="oauth",
        access_token=access,
        refresh_token=refresh,
        expires_at=rfc3339(entry.get("expires_at")) or identity["expires_at"],
        account_id=user_id if isinstance(user_id, str) else None,
        email=entry.get("email") if isinstance(entry.get("email"), str) else None,
        extra={"imported_from": str(path)},
    )


def _login_entry(data: dict[str, Any]) -> dict[str, Any] | None:
    """The OIDC entry of xAI's client, else the first OIDC entry with both tokens."""
    logins = [
        value for key, value in data.items() if "::" in key and isinstance(value, dict) and _has_tokens(value)
    ]
    ours = [value for value in logins if value.get("oidc_client_id") == CLIENT_ID]
    chosen = ours or logins
    return chosen[0] if chosen else None


def _has_tokens(value: dict[str, Any]) -> bool:
    return all(isinstance(value.get(name), str) and value[name] for name in ("key", "refresh_token"))
