"""The in-flight file's 1,024 account columns: a read takes none, and a new run (no
other process alive on the file) starts with all of them free. Before, names were
never given back, so a home that had seen 1,024 account labels over its runs (the
crash script adds accounts each round) failed every request naming a new one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dragoman.state.host.region import StateFull
from dragoman.state.host.slots import KEYS, HostInFlight


def _fill(slots: HostInFlight, names: range, prefix: str) -> None:
    async def take() -> None:
        for n in names:
            assert await slots.acquire(f"{prefix}{n}", None)
            slots.release(f"{prefix}{n}")

    asyncio.run(take())


def test_counting_an_account_takes_no_column(tmp_path: Path) -> None:
    slots = HostInFlight(tmp_path / "inflight.bin")
    try:
        _fill(slots, range(KEYS), "run1-")
        assert slots.count("never-counted") == 0  # a full table still answers a read
        with pytest.raises(StateFull):
            _fill(slots, range(1), "one-too-many-")
    finally:
        slots.close()


def test_a_new_run_starts_with_every_column_free(tmp_path: Path) -> None:
    path = tmp_path / "inflight.bin"
    first = HostInFlight(path)
    _fill(first, range(KEYS), "run1-")
    first.close()
    second = HostInFlight(path)
    try:
        _fill(second, range(KEYS), "run2-")
        assert second.count("run1-0") == 0
    finally:
        second.close()


def test_a_live_process_keeps_its_columns_when_another_opens_the_file(tmp_path: Path) -> None:
    path = tmp_path / "inflight.bin"
    first = HostInFlight(path)
    try:
        asyncio.run(first.acquire("alice", None))
        second = HostInFlight(path)
        try:
            assert second.count("alice") == 1
        finally:
            second.close()
    finally:
        first.close()
