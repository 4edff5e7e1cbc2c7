"""PKCE (RFC 7636, S256) and the state that ties a browser redirect to its login."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def challenge_of(verifier: str) -> str:
    """`base64url_nopad(sha256(verifier))`: what the authorize URL carries."""
    return _b64url(hashlib.sha256(verifier.encode()).digest())


@dataclass(frozen=True, slots=True)
class Pkce:
    # 64 random bytes: an 86-character verifier, within RFC 7636's 43 to 128.
    verifier: str = field(default_factory=lambda: _b64url(secrets.token_bytes(64)), repr=False)

    @property
    def challenge(self) -> str:
        return challenge_of(self.verifier)

    method = "S256"


def new_state() -> str:
    """32 random bytes, base64url: unguessable, safe in a URL."""
    return _b64url(secrets.token_bytes(32))
