"""Identifiers for things dragoman creates (response ids, tool call ids)."""

from __future__ import annotations

import os


def new_id(prefix: str) -> str:
    """A fresh id in the style of the dialect's own: `new_id("msg_")` -> `msg_9f2c...`."""
    # os.urandom directly: secrets.token_hex adds two Python-level wrappers per id.
    return prefix + os.urandom(12).hex()
