"""Named local keys as stored: what a row means, and the ring entries it makes.

A secret is `dgm_` and 32 random bytes (URL-safe base64): printed once, when it is
made (`create`, `rotate`), and never stored; the row keeps its SHA-256 (what a
presented key is looked up by, `policy.keys`) and its first characters, so that a
listing tells keys apart. Like `accounts`, this module does not import SQLAlchemy
(`key_store` does).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from dragoman.policy.key_options import local_key
from dragoman.policy.keys import LocalKey, digest

if TYPE_CHECKING:
    from sqlalchemy.engine import RowMapping

SECRET_PREFIX = "dgm_"
# What a listing shows of a secret: `dgm_` and four of its random characters.
SHOWN = 8
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"


@dataclass(frozen=True, slots=True)
class StoredKey:
    name: str
    digest: str  # hex SHA-256 of the secret
    prefix: str
    options: Mapping[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    expires_at: float | None = None
    revoked_at: float | None = None
    updated_at: float = 0.0

    def local_key(self, zone: str) -> LocalKey:
        return local_key(self.name, self.options, zone, expires=self.expires_at)

    def shown(self) -> dict[str, Any]:
        """The key as listings and the admin API show it (never its digest)."""
        return {
            "name": self.name,
            "prefix": f"{self.prefix}…",
            "options": dict(self.options),
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "revoked_at": self.revoked_at,
        }


def new_secret() -> tuple[str, str, str]:
    """A fresh secret, its hex digest and its shown prefix."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    return secret, digest(secret).hex(), secret[:SHOWN]


def ring_entries(keys: Iterable[StoredKey], zone: str) -> list[tuple[bytes, LocalKey]]:
    """The keys a gateway accepts (not the revoked), by digest, for `KeyRing.replace`."""
    return [(bytes.fromhex(key.digest), key.local_key(zone)) for key in keys if key.revoked_at is None]


def key_values(key: StoredKey) -> dict[str, Any]:
    return {
        "name": key.name,
        "digest": key.digest,
        "prefix": key.prefix,
        "options": dict(key.options),
        "created_at": key.created_at,
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
        "updated_at": key.updated_at,
    }


def keys_from_rows(rows: Iterable[Mapping[str, Any]] | Iterable[RowMapping]) -> list[StoredKey]:
    return [StoredKey(**{name: row[name] for name in _COLUMNS}) for row in rows]


_COLUMNS = tuple(item.name for item in fields(StoredKey))
