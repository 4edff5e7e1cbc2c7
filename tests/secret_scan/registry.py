"""The secrets the tests configure or the fakes mint, by value, each with where it came
from. Kept apart from dragoman's own list (`dragoman.observe.redact`) on purpose: the
scan must know a secret even when dragoman forgot to register it."""

from __future__ import annotations

import threading

# Shorter values are ordinary words as often as secrets; none of the fakes' are shorter.
MIN_LENGTH = 8
# Values that stand in for a key where none is needed: public, so never a leak.
PUBLIC = frozenset({"not-a-secret", "placeholder"})

_secrets: dict[str, str] = {}
_lock = threading.Lock()
_version = 0


def register(value: object, origin: str) -> None:
    """Remember `value` as a secret; `origin` names it in a leak report. Values that
    cannot be a secret (short, with spaces, public placeholders) are ignored."""
    global _version
    if not isinstance(value, str) or not looks_secret(value):
        return
    with _lock:
        if value not in _secrets:
            _secrets[value] = origin
            _version += 1


def looks_secret(value: str) -> bool:
    return len(value) >= MIN_LENGTH and value not in PUBLIC and not any(c.isspace() for c in value)


def known() -> tuple[int, dict[str, str]]:
    """(a version that changes with every new secret, {secret: origin})."""
    with _lock:
        return _version, dict(_secrets)


def forget(value: str) -> None:
    """Drop one secret (the scanner's own tests plant and remove theirs)."""
    global _version
    with _lock:
        if _secrets.pop(value, None) is not None:
            _version += 1
