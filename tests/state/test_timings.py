"""The timing script stays runnable (its numbers are measured by hand, not asserted)."""

from __future__ import annotations

from tests.state.timings import run


async def test_the_timing_script_measures_every_operation_on_every_backend() -> None:
    results = await run(iterations=20)
    assert set(results) == {"memory", "host", "redis"}
    assert results["memory"].keys() == results["host"].keys() == results["redis"].keys()
    assert all(value > 0 for backend in results.values() for value in backend.values())
