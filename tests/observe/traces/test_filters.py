"""Listing parameters: times, cursors, grouping and purging, validated once; and the
answers from memory."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dragoman.observe.traces.filters import (
    PurgeQuery,
    TraceQuery,
    UsageQuery,
    moment,
    select_records,
    usage_of_records,
)
from tests.observe.traces.records import a_record


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30m", 1000 - 1800), ("12h", 1000 - 43200), ("7d", 1000 - 604800), ("1w", 1000 - 604800),
     ("1.5s", 998.5), ("1700000000", 1700000000.0), ("2026-12-06T00:00:00+00:00", 1796515200.0)],
)  # fmt: skip
def test_a_moment_is_an_age_a_number_or_an_iso_time(text: str, expected: float) -> None:
    assert moment(text, now=1000.0) == expected


def test_a_bad_time_or_cursor_says_what_is_expected() -> None:
    with pytest.raises(ValidationError, match="a time is an age"):
        TraceQuery(since="yesterday")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="not a cursor"):
        TraceQuery(cursor="abc")
    assert TraceQuery(cursor="1.5:req:1").after == (1.5, "req:1")


@pytest.mark.parametrize("text", ["1e308", "-1e308", "inf", "nan", "99999999999999", "9999999999w"])
@pytest.mark.parametrize("query", [TraceQuery, UsageQuery])
def test_a_time_no_calendar_holds_is_refused(query: type[TraceQuery | UsageQuery], text: str) -> None:
    """Found by fuzzing: `/v1/usage?since=1e308` was a 500 (the ledger's UTC day of it
    overflows), an infinity or NaN too."""
    with pytest.raises(ValidationError, match="between the years 1 and 9999"):
        query(since=text)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="between the years 1 and 9999"):
        PurgeQuery(older_than=text)  # type: ignore[arg-type]


def test_usage_groups_by_known_dimensions_once() -> None:
    assert UsageQuery(group_by="model, day,model").group_by == ("model", "day")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        UsageQuery(group_by="")  # type: ignore[arg-type]


def test_purging_needs_an_age_or_all_but_not_both() -> None:
    assert PurgeQuery(all=True).before is None
    assert PurgeQuery(older_than=5.0).before == 5.0
    for wrong in ({}, {"older_than": 5.0, "all": True}):
        with pytest.raises(ValidationError, match="one of the two"):
            PurgeQuery(**wrong)  # type: ignore[arg-type]


def test_memory_listing_pages_newest_first_without_bodies() -> None:
    ring = [a_record(n, bodies={"client_request": "x", "upstream": []}) for n in range(5)]
    first = select_records(ring, TraceQuery(limit=3))
    rest = select_records(ring, TraceQuery(limit=3, cursor=first["next"]))
    assert [t["id"] for t in first["traces"] + rest["traces"]] == [f"req-{n}" for n in range(4, -1, -1)]
    assert rest["next"] is None
    assert all(t["bodies"] is None for t in first["traces"])
    assert ring[0]["bodies"] is not None  # the ring keeps them


def test_memory_usage_filters_and_groups() -> None:
    ring = [a_record(1), a_record(2, model="other", upstream_model="other", account="bob")]
    rows = usage_of_records(ring, UsageQuery(group_by=("account",), model="gpt-5"))
    assert [(row["account"], row["requests"], row["cache_read"]) for row in rows] == [("alice", 1, 90)]
