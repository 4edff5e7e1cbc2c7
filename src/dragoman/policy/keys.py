"""Local keys: who may call this dragoman, for which models, within which limits.

Two kinds. The keys of the config (`api_keys`, `serve --api-key`) are admin keys,
named `key1`, `key2`, ... by position: they open every route, the admin API included,
and no key limit applies to them. Named keys (`dragoman keys create`) are stored,
hashed, in the database: each opens the model routes only, for the models it allows,
within its limits.

A key is found by the SHA-256 of the secret presented: one dict read per request,
whatever the number of keys. A plain hash is enough because a key is 32 random bytes
(nothing to guess from a dictionary), and a dict read on a digest leaks nothing an
attacker can use (they cannot choose secrets whose digests share a prefix with a
real key's).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import Literal

from dragoman.state.records import Period

# What a limit counts: US dollars (at the price table's rates), tokens, or requests.
LimitKind = Literal["cost", "tokens", "requests"]


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `amount` of `kind` per `period`. `name` is the option that set it
    (`budget`, `tokens`, `requests`, `rpm`, `tpm`), for error messages and listings."""

    name: str
    kind: LimitKind
    amount: float
    period: Period


@dataclass(frozen=True, slots=True)
class LocalKey:
    """One key's identity and policy. `models` empty allows every model; `deny` wins
    over `models`. `expires` is epoch seconds (None: never)."""

    name: str
    admin: bool = False
    models: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    limits: tuple[Limit, ...] = ()
    max_concurrent: int | None = None
    max_output_tokens: int | None = None
    expires: float | None = None
    # Stop routing this key's requests to a subscription account past this percent of
    # any of its usage windows (None: the pools' own threshold).
    guard_percent: float | None = None

    def allows(self, model: str, *aliases: str) -> bool:
        """Whether this key may ask for `model`, known also by `aliases` (the upstream's
        own id of `label/model`, say): no name of it denied, one allowed (globs,
        case-sensitive like model ids)."""
        names = (model, *aliases)
        if any(fnmatchcase(name, pattern) for pattern in self.deny for name in names):
            return False
        return not self.models or any(fnmatchcase(name, pattern) for pattern in self.models for name in names)

    def expired(self, now: float) -> bool:
        return self.expires is not None and now >= self.expires


def digest(secret: str) -> bytes:
    """What is stored of a key, and what a presented key is looked up by."""
    return hashlib.sha256(secret.encode()).digest()


class KeyRing:
    """Every key this dragoman accepts, by digest: the config's admin keys, fixed, and
    the stored named keys, replaced whole when the store changes. `admin_policy`: the
    limits of the admin keys (`[admin_limits]`), none by default."""

    def __init__(self, admin_secrets: Iterable[str], admin_policy: LocalKey | None = None) -> None:
        policy = admin_policy or LocalKey(name="")
        self._admin = {
            digest(secret): replace(policy, name=f"key{n}", admin=True)
            for n, secret in enumerate(admin_secrets, start=1)
        }
        self._named: dict[bytes, LocalKey] = {}

    def __bool__(self) -> bool:
        """Whether any key exists: a gateway without one trusts its loopback clients."""
        return bool(self._admin or self._named)

    @property
    def has_admin_keys(self) -> bool:
        return bool(self._admin)

    def find(self, secret: str) -> LocalKey | None:
        found = digest(secret)
        return self._admin.get(found) or self._named.get(found)

    def replace(self, named: Iterable[tuple[bytes, LocalKey]]) -> None:
        """Swap in the stored keys (by digest), all at once."""
        self._named = dict(named)

    def by_name(self, name: str) -> LocalKey | None:
        """The key of this name (a stored key's, or `keyN` for the Nth admin key)."""
        for key in (*self._admin.values(), *self._named.values()):
            if key.name == name:
                return key
        return None

    def named(self) -> tuple[LocalKey, ...]:
        return tuple(self._named.values())
