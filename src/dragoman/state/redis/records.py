"""How the mirrored records live in Redis: one string key per record, its JSON as the
value, a time to live past which no reader needs it; and how two versions of a record
written at once by two replicas are merged.

    <prefix>rec:cooldowns:["alice",""]      ["alice","","quota","429",1800000000.0,0,...]
    <prefix>rec:windows:["alice","","5h"]   a Window's fields
    <prefix>rec:bindings:["s1","claude"]    a Binding's fields (expires with it)
    <prefix>rec:errors:["alice"]            a LastError's fields
    <prefix>rec:logins:["sha256:3fa9..."]   a ClientLogin's fields
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import orjson

from dragoman.state.cooling import SEVERITY
from dragoman.state.records import Binding, ClientLogin, Cooldown, LastError, Window
from dragoman.state.redis.link import decode_fields, encode_fields

Record = Cooldown | Window | Binding | LastError | ClientLogin

# How long a record is kept past the time in its `expiry` field (as the host journal does).
DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Kind:
    table: str
    record: type[Record]
    expiry: str
    keep: float

    @property
    def floats(self) -> tuple[bool, ...]:
        return tuple(field.type == "float" for field in fields(self.record))

    def encode(self, record: Record) -> str:
        return encode_fields(tuple(getattr(record, f.name) for f in fields(self.record)), self.floats)

    def decode(self, text: str) -> Record:
        return self.record(*decode_fields(text, self.floats))

    def ttl_ms(self, record: Record, now: float) -> int:
        """Milliseconds to keep the record in Redis; 0: for good (until the user resets it)."""
        ends = float(getattr(record, self.expiry)) + self.keep
        if ends == float("inf"):
            return 0
        return max(1000, int((ends - now) * 1000))


KINDS = {
    kind.table: kind
    for kind in (
        Kind("cooldowns", Cooldown, "until", DAY),
        Kind("windows", Window, "resets_at", 7 * DAY),
        Kind("bindings", Binding, "expires", 1.0),
        Kind("errors", LastError, "at", 30 * DAY),
        Kind("logins", ClientLogin, "seen_at", 7 * DAY),
    )
}


def key_name(table: str, parts: tuple[str, ...]) -> str:
    """The part of a record's key after the prefix."""
    return f"rec:{table}:{orjson.dumps(parts).decode()}"


def parse_key(name: str) -> tuple[str, tuple[str, ...]]:
    """`key_name` read back: the table and the record's key."""
    table, _, parts = name.removeprefix("rec:").partition(":")
    return table, tuple(orjson.loads(parts))


def merge(table: str, stored: Record | None, ours: Record | None, now: float) -> Record | None:
    """What a key holds when our change met another replica's (stored), written meanwhile."""
    if table == "bindings":
        return ours  # the last to bind wins, as on one host
    if table == "cooldowns":
        return _stronger(stored, ours, now)  # type: ignore[arg-type]
    if stored is None or ours is None:
        return ours or stored
    return ours if _observed(ours) >= _observed(stored) else stored


def _observed(record: Any) -> float:
    if isinstance(record, ClientLogin):
        return record.seen_at
    return float(record.observed_at if isinstance(record, Window) else record.at)


def _stronger(stored: Cooldown | None, ours: Cooldown | None, now: float) -> Cooldown | None:
    """Cooldowns: a removal (a success, a reset) loses to a cooldown struck meanwhile; of two
    cooldowns the stronger active one stays (a 5xx never shortens a quota wait), else the
    longer, else the higher backoff level."""
    if ours is None:
        return stored if stored is not None and stored.active(now) else None
    if stored is None:
        return ours

    def strength(record: Cooldown) -> tuple[bool, int, float, int]:
        active = record.active(now)
        return active, SEVERITY[record.kind] if active else 0, record.until, record.level

    return max(stored, ours, key=strength)
