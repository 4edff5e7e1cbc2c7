"""Identifiers for things dragoman creates (response ids, tool call ids)."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    """A fresh id in the style of the dialect's own: `new_id("msg_")` -> `msg_9f2c...`."""
    return prefix + secrets.token_hex(12)
