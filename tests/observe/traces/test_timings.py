"""The timing script stays runnable (its numbers are measured by hand, not asserted:
the machine is shared)."""

from __future__ import annotations

from pathlib import Path

from tests.observe.traces.timings import finish_cost


async def test_the_timing_script_measures_a_trace(tmp_path: Path) -> None:
    assert await finish_cost(tmp_path / "home", iterations=20, viewers=2) > 0
