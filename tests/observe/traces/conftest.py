"""A SQLite file ready for traces, as the gateway hands it to its trace writer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dragoman.observe.traces.store import TraceStore


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Path]:
    """A SQLite file migrated to this revision."""
    path = tmp_path / "dragoman.db"
    store = TraceStore(f"sqlite+aiosqlite:///{path}")
    await store.engine()
    await store.close()
    yield path
