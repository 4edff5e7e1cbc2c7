"""An upstream answer as batches of IR events, and the client's stream written from them.

One batch per upstream network chunk, so the client gets one write per chunk too; the
last batch is a FinalBatch, so the client's last write can also end the response.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack
from typing import Any

from dragoman.ir import Event, StreamError, UsageUpdate
from dragoman.ir.errors import GatewayError, OverBudget
from dragoman.ir.response import Accumulator
from dragoman.server.exchange import Exchange
from dragoman.server.streamed import LastChunk

# How a stream its key's budget cut short ended (`Exchange.ended`): not the upstream's error.
BUDGET_CUT = "cut: budget_exceeded"

# The events of one upstream network chunk (or of a whole answer).
Batch = list[Event]


class FinalBatch(list[Event]):
    """An answer's last batch: nothing follows it, so the client's last write can also
    end the response (one write fewer per stream)."""


# An upstream stream as batches (None: a silence worth a keep-alive).
Batches = AsyncGenerator[Batch | None, None]


async def client_stream(
    renderer: Any, batches: Batches, exits: AsyncExitStack, exchange: Exchange
) -> AsyncGenerator[bytes, None]:
    async with exits:
        # The last batch with events: an upstream's error event ends its stream, so it
        # is in there (read once, as the stream ends: nothing is looked at per chunk).
        last: Batch = []
        try:
            async for batch in batches:
                if batch is None:
                    chunk = renderer.keepalive()
                else:
                    chunk = b"".join([renderer.render(event) for event in batch])
                    _note_usage(batch, exchange)
                    if exchange.durable is not None:  # a stored answer's end: written first
                        await exchange.settled()
                    if isinstance(batch, FinalBatch):
                        _note_failure(batch or last, exchange)
                        yield LastChunk(chunk)
                        return
                    last = batch
                if chunk:
                    yield chunk
        except GatewayError as error:
            exchange.fail(error.code)
            yield LastChunk(renderer.render(StreamError(error)))
        finally:
            exchange.usage = renderer.usage
            await batches.aclose()


def _note_usage(batch: Batch, exchange: Exchange) -> None:
    """Keep the usage an event of the batch reports (cumulative: the newer wins)."""
    for event in batch:
        if type(event) is UsageUpdate:
            exchange.usage = event.usage if exchange.usage is None else exchange.usage.merge(event.usage)


def _note_failure(batch: Batch, exchange: Exchange) -> None:
    for event in reversed(batch):
        if isinstance(event, StreamError):
            if isinstance(event.error, OverBudget):  # dragoman's own cut (`server.metering`)
                exchange.ended = BUDGET_CUT
            else:
                exchange.fail(event.error.code)
            return


async def fold(batches: Batches) -> Any:
    accumulator = Accumulator()
    async for batch in batches:
        for event in batch or ():
            accumulator.feed(event)
    return accumulator.finish()


async def whole_batches(events: Any) -> Batches:
    yield FinalBatch(events)
