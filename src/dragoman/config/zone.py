"""The time zone that calendar periods (`/day`, `/week`, `/month` of a key's limits)
are counted in: the config's `time_zone`, by default the machine's own.

The machine's zone is read as the C library would: `TZ` when it names a zone, else the
zone `/etc/localtime` links to (or `/etc/timezone` names), else UTC.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCALTIME = Path("/etc/localtime")
TIMEZONE_FILE = Path("/etc/timezone")


def machine_zone(environ: Mapping[str, str] = os.environ) -> str:
    """The IANA name of this machine's time zone, UTC when it cannot tell."""
    candidates = [environ.get("TZ", "").removeprefix(":"), _linked(), _named()]
    for name in candidates:
        if name and known_zone(name):
            return name
    return "UTC"


def known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _linked() -> str:
    try:
        target = str(LOCALTIME.resolve())
    except OSError:
        return ""
    return target.partition("zoneinfo/")[2]


def _named() -> str:
    try:
        return TIMEZONE_FILE.read_text().strip()
    except OSError:
        return ""
