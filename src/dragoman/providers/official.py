"""Reading the credential files official CLIs keep, for `dragoman import <kind>`.

Each subscription folder's `credentials.py` (see `CredentialsError` in subscription.py)
reads its CLI's layout with these: the file's JSON object, and the time formats they
store expiries in. Files are only read, never written.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from dragoman.providers.subscription import CredentialsError

# Epoch values above this are milliseconds (year 33658 in seconds).
_MILLISECONDS = 10**12


def read_json(path: Path) -> dict[str, Any]:
    """A credential file's JSON object; CredentialsError saying what is wrong."""
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise CredentialsError(
            f"{path}: no such file (log in with the official CLI first, or give --from)"
        ) from None
    except OSError as error:
        raise CredentialsError(f"{path}: cannot be read: {error.strerror}") from None
    except orjson.JSONDecodeError:
        raise CredentialsError(f"{path}: not JSON") from None
    if not isinstance(data, dict):
        raise CredentialsError(f"{path}: not a JSON object")
    return data


def rfc3339(value: Any) -> float | None:
    """Epoch seconds of an RFC 3339 time (any fraction length), or None."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    head, dot, rest = text.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[: min(digits, 6)]}{rest[digits:]}"
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def epoch_seconds(value: Any) -> float | None:
    """Epoch seconds from seconds or milliseconds (Claude's `expiresAt`, Google's
    `expiry_date`), or None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value / 1000 if value > _MILLISECONDS else float(value)
