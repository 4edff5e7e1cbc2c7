"""Adopting Gemini CLI's Google login: `~/.gemini/oauth_creds.json` (oauth.md §3.6),
google-auth-library's Credentials as JSON. Read only, never written.

    {"access_token": "ya29...", "refresh_token": "1//...", "scope": "https://... https://...",
     "token_type": "Bearer", "id_token": "<JWT>", "expiry_date": 1785956423181}

`expiry_date` is in milliseconds; the id token names the account (`email`, `sub`).
With GEMINI_FORCE_ENCRYPTED_FILE_STORAGE the CLI keeps them in the keychain instead.
The Code Assist project is not in the file: it is found again before the account's
first request. Google's refresh tokens do not rotate, so both programs keep working.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dragoman.auth.tokens import jwt_claims
from dragoman.providers.official import epoch_seconds, read_json
from dragoman.providers.subscription import CredentialsError
from dragoman.store.accounts import Account

DEFAULT_PATH = "~/.gemini/oauth_creds.json"


def read_official(path: Path) -> Account:
    data = read_json(path)
    access, refresh = _text(data.get("access_token")), _text(data.get("refresh_token"))
    if access is None or refresh is None:
        raise CredentialsError(f"{path}: no Google login in it (access_token and refresh_token)")
    claims = jwt_claims(_text(data.get("id_token")))
    scope = data.get("scope")
    return Account(
        provider="gemini_cli",
        auth="oauth",
        access_token=access,
        refresh_token=refresh,
        expires_at=epoch_seconds(data.get("expiry_date")),
        account_id=_text(claims.get("sub")),
        email=_text(claims.get("email")),
        scopes=tuple(scope.split()) if isinstance(scope, str) else (),
        extra={"imported_from": str(path)},
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
