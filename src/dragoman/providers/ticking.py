"""An async stream with a tick (`None`) after every `interval` seconds of silence.

The relay needs keep-alives while an upstream thinks, without cancelling the read in
progress (that would close the stream). For a source whose reads cannot be cancelled
safely (httpx's body iterator), one pump task per stream reads ahead into a small
queue; the consumer takes what is there without waiting, and only when the queue is
empty waits on it with a timeout, which is safe to cancel. (aiohttp's buffered reader
can be waited on with a timeout directly: see `aiohttp_pool`.)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Generic, TypeVar

T = TypeVar("T")

# Read-ahead bound: a slow client holds the upstream back instead of filling memory.
READ_AHEAD = 64


class _End:
    __slots__ = ()


class _Failed:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


class _Pump(Generic[T]):
    def __init__(self, items: AsyncIterator[T]) -> None:
        self.queue: asyncio.Queue[T | _End | _Failed] = asyncio.Queue(READ_AHEAD)
        self.task = asyncio.create_task(self._run(items))

    async def _run(self, items: AsyncIterator[T]) -> None:
        try:
            async for item in items:
                await self.queue.put(item)
        except Exception as error:
            await self.queue.put(_Failed(error))
        else:
            await self.queue.put(_End())

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def with_ticks(items: AsyncIterator[T], interval: float) -> AsyncGenerator[T | None, None]:
    """`items` as they come, and `None` whenever `interval` seconds pass without one."""
    pump = _Pump(items)
    try:
        while True:
            try:
                item = pump.queue.get_nowait()
            except asyncio.QueueEmpty:
                try:
                    async with asyncio.timeout(interval):
                        item = await pump.queue.get()
                except TimeoutError:
                    yield None
                    continue
            if isinstance(item, _End):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        await pump.stop()
