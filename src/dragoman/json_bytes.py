"""JSON bytes to keep a while, in a buffer of their own length.

orjson (3.12 on) hands its output back in the buffer it grew while writing and never
shrinks it: 4 kB for the smallest object, 16 kB for a 1.3 kB one, 1 MB for a 108 kB
request of one long message (home-assistant/core#181245 met the same). For bytes sent
at once that costs nothing; for bytes kept (the tracer's records, an upstream call's
body held for a failover) it multiplies what each one holds.
"""

from __future__ import annotations

from typing import Any

import orjson


def dumps_kept(value: Any) -> bytes:
    """`orjson.dumps(value)`, copied to its length: about 0.2 µs for a 1.3 kB object,
    4 µs for 88 kB."""
    return bytes(memoryview(orjson.dumps(value)))
