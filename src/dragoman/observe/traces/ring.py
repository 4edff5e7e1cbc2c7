"""The traces a process keeps in memory: the last `size` records, each kept as its JSON.

A record kept as a dict (27 keys, four nested containers) for the thousand requests the
ring holds cost chat pass-through at saturation some 6-9% of its requests/s against a
ring of one (A/B runs of 2026-12-07): long-lived containers the allocator and the
collector keep walking among each request's short-lived ones. Kept as bytes, the
JSON the database gets anyway, a record is one object no collection looks into. The
ring is read only by a listing, a trace asked by id, or a purge, which parse it then.
"""

from __future__ import annotations

from collections import deque

import orjson

from dragoman.observe.traces.outcome import Record


class Ring:
    """The newest records, oldest first, each as (id, time, JSON)."""

    def __init__(self, size: int) -> None:
        self._kept: deque[tuple[str, float, bytes]] = deque(maxlen=size)

    def __len__(self) -> int:
        return len(self._kept)

    def append(self, trace_id: str, moment: float, encoded: bytes) -> None:
        self._kept.append((trace_id, moment, encoded))

    def records(self) -> list[Record]:
        """Every record kept, oldest first."""
        return [orjson.loads(encoded) for _, _, encoded in self._kept]

    def find(self, trace_id: str) -> Record | None:
        """The newest record of this id (a client may reuse one)."""
        for kept_id, _, encoded in reversed(self._kept):
            if kept_id == trace_id:
                record: Record = orjson.loads(encoded)
                return record
        return None

    def purge(self, before: float | None) -> int:
        """Drop the records older than `before` (None: all of them); how many went."""
        kept = [entry for entry in self._kept if before is not None and entry[1] >= before]
        removed = len(self._kept) - len(kept)
        self._kept.clear()
        self._kept.extend(kept)
        return removed
