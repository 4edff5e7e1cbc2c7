from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from typing import Any

import pytest

from dragoman.providers.ticking import with_ticks


async def test_items_pass_through_in_order_and_the_stream_ends() -> None:
    async def items() -> AsyncIterator[int]:
        for number in range(200):
            yield number

    assert [item async for item in with_ticks(items(), interval=5)] == list(range(200))


async def test_silence_yields_ticks_without_losing_the_pending_item() -> None:
    async def slow() -> AsyncIterator[str]:
        yield "first"
        await asyncio.sleep(0.35)
        yield "second"

    seen = [item async for item in with_ticks(slow(), interval=0.1)]
    assert seen[0] == "first" and seen[-1] == "second"
    assert 2 <= seen.count(None) <= 4


async def test_an_error_of_the_source_reaches_the_consumer() -> None:
    async def failing() -> AsyncIterator[str]:
        yield "ok"
        raise ValueError("cut")

    ticks = with_ticks(failing(), interval=5)
    assert await anext(ticks) == "ok"
    with pytest.raises(ValueError, match="cut"):
        await anext(ticks)


async def test_a_consumer_leaving_stops_the_reader_and_nothing_is_reported_lost() -> None:
    """Codex hangs up at response.completed, often just as the upstream's stream ends."""
    lost: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: lost.append(context))
    release = asyncio.Event()
    closed = asyncio.Event()

    async def upstream() -> AsyncIterator[bytes]:
        try:
            yield b"data: last\n\n"
            await release.wait()
        finally:
            closed.set()

    ticks = with_ticks(upstream(), interval=30)
    assert await anext(ticks) == b"data: last\n\n"
    reader = asyncio.ensure_future(anext(ticks))
    await asyncio.sleep(0)
    release.set()  # the upstream ends ...
    reader.cancel()  # ... in the same instant as the client goes away
    await asyncio.gather(reader, return_exceptions=True)
    await ticks.aclose()
    assert closed.is_set()
    del reader, ticks
    gc.collect()
    await asyncio.sleep(0)
    assert lost == []


async def test_a_slow_consumer_bounds_the_read_ahead() -> None:
    produced = 0

    async def fast() -> AsyncIterator[int]:
        nonlocal produced
        for number in range(1000):
            produced += 1
            yield number

    ticks = with_ticks(fast(), interval=5)
    await anext(ticks)
    await asyncio.sleep(0.05)
    assert produced < 100
    await ticks.aclose()
