"""Adopting a Kiro login (`dragoman import kiro [--from PATH]`, oauth.md §5.3), from
either place Kiro keeps one. Read only, never written.

- The Kiro CLI's SQLite store (`~/.local/share/kiro-cli/data.sqlite3`, or under
  `$XDG_DATA_HOME`): table `auth_kv(key, value)`, the token JSON under the first of
  `TOKEN_KEYS` present, the device registration (client id and secret) under
  `REGISTRATION_KEYS`.
- The Kiro IDE's token file (`~/.aws/sso/cache/kiro-auth-token.json`): `accessToken`,
  `refreshToken`, `expiresAt`, `authMethod` (`social` or `IdC`), `profileArn`, `region`,
  and for IdC `clientIdHash`, naming the registration file beside it.

A token with a client registration is an AWS SSO (Builder ID / Identity Center) login,
refreshed at AWS's OIDC server; one without is a social login, refreshed at Kiro's.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from dragoman.providers.kiro.auth import IDC, SOCIAL
from dragoman.providers.kiro.region import checked_region, region_of, runtime_host
from dragoman.providers.official import epoch_seconds, read_json, rfc3339
from dragoman.providers.subscription import CredentialsError
from dragoman.store.accounts import Account

DEFAULT_PATH = "~/.local/share/kiro-cli/data.sqlite3"
IDE_PATH = "~/.aws/sso/cache/kiro-auth-token.json"
SQLITE_MAGIC = b"SQLite format 3\x00"
TOKEN_KEYS = (
    "kirocli:social:token",
    "kirocli:oidc:token",
    "kirocli:odic:token",
    "codewhisperer:oidc:token",
    "codewhisperer:odic:token",
)
REGISTRATION_KEYS = (
    "kirocli:oidc:device-registration",
    "kirocli:odic:device-registration",
    "codewhisperer:oidc:device-registration",
    "codewhisperer:odic:device-registration",
)


def default_path(environ: Mapping[str, str] = os.environ) -> Path:
    """The CLI's store when there is one, else the IDE's token file."""
    data_home = environ.get("XDG_DATA_HOME")
    store = Path(data_home) / "kiro-cli" / "data.sqlite3" if data_home else Path(DEFAULT_PATH).expanduser()
    return (
        store if store.exists() or not Path(IDE_PATH).expanduser().exists() else Path(IDE_PATH).expanduser()
    )


def read_official(path: Path) -> Account:
    if _is_sqlite(path):
        token, registration = read_cli_store(path)
    else:
        token = read_json(path)
        registration = _ide_registration(path, token)
    return account_from(token, registration, path)


def read_cli_store(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(token, device registration) from the CLI's `auth_kv` table."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as database:
            token = _first(database, TOKEN_KEYS)
            registration = _first(database, REGISTRATION_KEYS) or {}
    except sqlite3.Error as error:
        raise CredentialsError(f"{path}: not a Kiro CLI store ({error})") from None
    if token is None:
        raise CredentialsError(f"{path}: no Kiro login in it (log in with `kiro-cli login` first)")
    return token, registration


def account_from(token: dict[str, Any], registration: dict[str, Any], path: Path) -> Account:
    access, refresh = (
        _text(token, "accessToken", "access_token"),
        _text(token, "refreshToken", "refresh_token"),
    )
    if not access or not refresh:
        raise CredentialsError(f"{path}: the Kiro login in it has no access and refresh token")
    client_id = _text(token, "clientId", "client_id") or _text(registration, "clientId", "client_id")
    secret = _text(token, "clientSecret", "client_secret") or _text(
        registration, "clientSecret", "client_secret"
    )
    profile = _text(token, "profileArn", "profile_arn")
    extra: dict[str, Any] = {"login": IDC if client_id else SOCIAL, "imported_from": str(path)}
    extra["auth_region"] = checked_region(token.get("region") or registration.get("region"))
    extra.update({"profile_arn": profile, "client_id": client_id, "client_secret": secret})
    return Account(
        provider="kiro",
        auth="oauth",
        access_token=access,
        refresh_token=refresh,
        expires_at=_expiry(token),
        account_id=profile.rpartition("/")[2] or None if profile else None,
        base_url=runtime_host(region_of(profile)),
        extra={key: value for key, value in extra.items() if value is not None},
    )


def _first(database: sqlite3.Connection, keys: tuple[str, ...]) -> dict[str, Any] | None:
    for key in keys:
        row = database.execute("SELECT value FROM auth_kv WHERE key = ?", (key,)).fetchone()
        value = _json(row[0]) if row else None
        if isinstance(value, dict):
            return value
    return None


def _ide_registration(path: Path, token: dict[str, Any]) -> dict[str, Any]:
    """The IdC registration the IDE's token names by `clientIdHash`, beside it."""
    name = token.get("clientIdHash")
    if not isinstance(name, str) or not name.isalnum():
        return {}
    with contextlib.suppress(CredentialsError):
        return read_json(path.with_name(f"{name}.json"))
    return {}


def _expiry(token: dict[str, Any]) -> float | None:
    value = token.get("expiresAt", token.get("expires_at", token.get("expiration")))
    return rfc3339(value) if isinstance(value, str) else epoch_seconds(value)


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def _json(value: Any) -> Any:
    try:
        return orjson.loads(value) if isinstance(value, str | bytes) else None
    except orjson.JSONDecodeError:
        return None


def _text(data: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = data.get(name)
        if isinstance(value, str) and value:
            return value
    return None
