"""What a listing of traces or usage asks for, validated once (pydantic) and answered
from memory here, or from the database by `query`:

    TraceQuery   model, provider, account, key, status (a code, "ok" or "error"),
                 since/until (epoch seconds, an ISO time, or an age: 30m, 12h, 7d),
                 q (text anywhere in the record but its bodies), limit, cursor
    UsageQuery   group_by (day, account, model, key, route), since/until, account/model/key

Listings are newest first; `cursor` is the `next` of the page before ("time:id" of
its last trace): the page continues strictly after it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from dragoman.observe.traces.ledger import DIMENSIONS, day_of, ledger_rows, regroup
from dragoman.observe.traces.outcome import Record, failed

AGE = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def moment(value: object, now: float | None = None) -> object:
    """Epoch seconds from an age ("7d": seven days ago), an ISO time or a number."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    age = AGE.fullmatch(text)
    if age:
        return (now if now is not None else time.time()) - float(age[1]) * SECONDS[age[2]]
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise ValueError("a time is an age (30m, 12h, 7d), an ISO time or epoch seconds") from None


# What a UTC day can be drawn for (datetime's years 1 to 9999): a time past these, an
# infinity or NaN is the client's mistake, not a day the ledger could be asked for.
EARLIEST, LATEST = -62135596800.0, 253402300799.0


def within_calendar(value: float) -> float:
    if not EARLIEST <= value <= LATEST:
        raise ValueError("a time between the years 1 and 9999 (epoch seconds, an ISO time or an age)")
    return value


Moment = Annotated[float, BeforeValidator(moment), AfterValidator(within_calendar)]


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    since: Moment | None = None
    until: Moment | None = None
    account: str | None = None
    model: str | None = None
    key: str | None = None


class TraceQuery(_Query):
    provider: str | None = None
    status: int | Literal["ok", "error"] | None = None
    q: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 50
    cursor: str | None = None

    @field_validator("cursor")
    @classmethod
    def _a_cursor(cls, value: str | None) -> str | None:
        if value is not None:
            moment_text, colon, trace_id = value.partition(":")
            try:
                float(moment_text)
            except ValueError:
                colon = ""
            if not colon or not trace_id:
                raise ValueError("not a cursor: pass the `next` of the page before as it is")
        return value

    @property
    def after(self) -> tuple[float, str] | None:
        """The (time, id) the page continues after."""
        if self.cursor is None:
            return None
        moment_text, _, trace_id = self.cursor.partition(":")
        return float(moment_text), trace_id


class UsageQuery(_Query):
    group_by: tuple[Literal["day", "account", "model", "key", "route"], ...] = ("day", "account", "model")

    @field_validator("group_by", mode="before")
    @classmethod
    def _listed(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("group_by")
    @classmethod
    def _some(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError(f"group by one or more of {', '.join(DIMENSIONS)}")
        return tuple(dict.fromkeys(value))

    def day_range(self) -> tuple[str | None, str | None]:
        """since/until as the ledger's UTC days."""
        return _day(self.since), _day(self.until)


class PurgeQuery(BaseModel):
    """`DELETE /v1/traces`: the traces older than `older_than` (an age, a time), or
    every one with `all=true`; one of the two, so that no typo deletes everything."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    older_than: Moment | None = None
    all: bool = False

    @model_validator(mode="after")
    def _one_of_the_two(self) -> PurgeQuery:
        if self.all == (self.older_than is not None):
            raise ValueError("give older_than (e.g. 7d) or all=true, one of the two")
        return self

    @property
    def before(self) -> float | None:
        """Delete what is older than this; None: everything."""
        return None if self.all else self.older_than


def cursor_of(record: Record) -> str:
    return f"{record['time']!r}:{record['id']}"


def page(records: Sequence[Record], limit: int) -> dict[str, Any]:
    """A listing's answer: `limit` traces, and the cursor of the next page (or None);
    `records` holds one more than `limit` when there is a next page."""
    shown = list(records[:limit])
    more = len(records) > limit
    return {"traces": shown, "next": cursor_of(shown[-1]) if more and shown else None}


def select_records(ring: Iterable[Record], query: TraceQuery) -> dict[str, Any]:
    """A page of the traces in memory, newest first."""
    ordered = sorted(ring, key=lambda record: (record["time"], record["id"]), reverse=True)
    chosen = [record for record in ordered if matches(record, query)]
    return page([_listed(record) for record in chosen[: query.limit + 1]], query.limit)


def matches(record: Record, query: TraceQuery) -> bool:
    after = query.after
    checks = (
        query.model is None or query.model in (record["model"], record["upstream_model"]),
        query.provider is None or record["provider"] == query.provider,
        query.account is None or record["account"] == query.account,
        query.key is None or record["key"] == query.key,
        query.since is None or record["time"] >= query.since,
        query.until is None or record["time"] < query.until,
        after is None or (record["time"], record["id"]) < after,
        _status_matches(record, query.status),
        query.q is None or _mentions(record, query.q),
    )
    return all(checks)


def usage_of_records(records: Iterable[Record], query: UsageQuery) -> list[dict[str, Any]]:
    """The usage of the traces in memory, as the ledger would group it."""
    rows = ledger_rows(record for record in records if _in_range(record, query))
    return regroup([row for row in rows if _row_matches(row, query)], query.group_by)


def _row_matches(row: dict[str, Any], query: _Query) -> bool:
    return all(getattr(query, name) in (None, row[name]) for name in ("account", "model", "key"))


def _in_range(record: Record, query: UsageQuery) -> bool:
    first, last = query.day_range()
    day = day_of(record["time"])
    return (first is None or day >= first) and (last is None or day <= last)


def _status_matches(record: Record, status: int | str | None) -> bool:
    if status is None:
        return True
    if status == "ok":
        return not failed(record)
    if status == "error":
        return failed(record)
    return bool(record["status"] == status)


def _mentions(record: Record, text: str) -> bool:
    """The text is anywhere in the record but its bodies (as the database looks)."""
    return text.lower() in orjson.dumps({**record, "bodies": None}).decode().lower()


def _listed(record: Record) -> Record:
    """A listing leaves the bodies out (`/v1/traces/{id}` has them)."""
    return {**record, "bodies": None} if record.get("bodies") is not None else record


def _day(moment_value: float | None) -> str | None:
    return day_of(moment_value) if moment_value is not None else None
