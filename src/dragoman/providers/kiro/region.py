"""Kiro's regions (oauth.md §5, upstreams.md §7.1): the API region is the profile ARN's
fourth field (`arn:aws:codewhisperer:us-east-1:...`), and its runtime host
`https://runtime.{region}.kiro.dev`; the login's own region (its auth or SSO server)
may differ from it."""

from __future__ import annotations

import re

DEFAULT_REGION = "us-east-1"
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d")


def region_of(profile_arn: object) -> str | None:
    """The region a profile ARN names, if it names a well-formed one."""
    if not isinstance(profile_arn, str):
        return None
    fields = profile_arn.split(":")
    found = fields[3] if len(fields) > 4 else ""
    return found if _REGION.fullmatch(found) else None


def runtime_host(region: str | None) -> str:
    return f"https://runtime.{region or DEFAULT_REGION}.kiro.dev"


def checked_region(value: object) -> str:
    """A region from a credential file, or the default when it is not one."""
    return value if isinstance(value, str) and _REGION.fullmatch(value) else DEFAULT_REGION
