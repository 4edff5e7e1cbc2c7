"""What a finished trace record is, and whether its request failed: all the trace
writer's process needs of `record` (which loads the configuration to mask URLs)."""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]


def failed(record: Record) -> bool:
    """The request failed: an error status, or a stream that did not end well."""
    return bool(record["status"] >= 400 or record["ended"] not in (None, "ok"))
