"""Masking secrets in any text that leaves the process: logs, error messages.

Known secrets (local keys, provider keys, tokens) are registered by value when they are
loaded; well-known key and token shapes are masked even when nobody registered them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"

_SHAPES = re.compile(
    r"(?:"
    r"sk-[A-Za-z0-9_\-]{12,}"  # OpenAI / Anthropic keys
    r"|AIza[0-9A-Za-z_\-]{20,}"  # Google API keys
    r"|xai-[A-Za-z0-9_\-]{12,}"  # xAI keys
    r"|ya29\.[0-9A-Za-z_\-.]{12,}"  # Google OAuth access tokens
    r"|eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"  # JWTs
    r"|(?<=Bearer )[A-Za-z0-9_\-.~+/=]{8,}"  # whatever follows Bearer
    r")"
)

# What every shape's match begins with. Scanning a text for the pattern costs far more than
# looking for these (the access line's message took 4% of a request's instructions): a
# text holding none of them, and no registered secret, is returned as it is. A new shape
# needs its literal start here.
_SHAPE_STARTS = ("sk-", "AIza", "xai-", "ya29.", "eyJ", "Bearer ")

_known: set[str] = set()
# Short values already redacted, and what they became: a log line's fields (its path,
# model, reason) repeat from request to request. Emptied when a secret is registered.
_fields: dict[str, str] = {}
FIELD_LENGTH_MAX = 256
FIELDS_MAX = 4096
# The registered secrets and the key shapes in one pattern: one pass over the text.
_pattern: re.Pattern[str] = _SHAPES
# What a match must contain: the registered secrets, longest first, and the shapes' starts.
_needles: tuple[str, ...] = _SHAPE_STARTS
# No shape is shorter, and registered secrets are at least this long.
_SHORTEST = 6


def register(secrets: Iterable[str]) -> None:
    """Mask these exact values from now on (values under 6 characters are ignored:
    masking them would garble ordinary text)."""
    global _pattern, _needles
    added = {secret for secret in secrets if secret and len(secret) >= _SHORTEST} - _known
    if not added:
        return
    _known.update(added)
    _fields.clear()
    # Longest first, so a secret containing another is masked whole.
    ordered = sorted(_known, key=len, reverse=True)
    _pattern = re.compile("|".join([*(re.escape(secret) for secret in ordered), _SHAPES.pattern]))
    _needles = (*ordered, *_SHAPE_STARTS)


def redact(text: str) -> str:
    """`text` with every known secret and every key-shaped string replaced by `***`."""
    if len(text) < _SHORTEST:
        return text
    for needle in _needles:
        if needle in text:
            return _pattern.sub(MASK, text)
    return text


def redact_field(value: str) -> str:
    """`redact(value)`, remembered for a short value: the same few recur on every line."""
    found = _fields.get(value)
    if found is None:
        found = redact(value)
        if len(value) <= FIELD_LENGTH_MAX:
            if len(_fields) >= FIELDS_MAX:
                _fields.clear()
            _fields[value] = found
    return found


def mask(secret: str | None) -> str:
    """A secret shown to its owner: enough to recognise it, never enough to use it."""
    if not secret:
        return ""
    if len(secret) <= 8:
        return MASK
    return f"{secret[:4]}{MASK}{secret[-4:]}"
