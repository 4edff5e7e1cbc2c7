"""A stream's handshake held back until its first content, so that an error event that
comes before any content (Codex `usage_limit_reached` or `server_is_overloaded` in a
`response.failed`, Anthropic's `overloaded_error` event) still fails over to another
account: nothing has reached the client yet. Past the first content, never.

Holding ends at the first content event, at an error event, at the stream's end, or at
the first silence worth a keep-alive: a model thinking for minutes before it writes
must not keep the client without its response headers that long.

While holding, each SSE message is looked at (`Hold.scan`) so that the error event's
own JSON is kept for the pool to judge (`pools.outcomes.stream_outcome`); after, the
relay's fast path runs untouched.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from typing import Any

import orjson

from dragoman import sse
from dragoman.ir import Event, PartDelta, Start, Stop, StreamError
from dragoman.ir.errors import UpstreamError
from dragoman.server.pooling import Attempt

Batches = AsyncGenerator[list[Event] | None, None]
# Content is text (or thinking, or a call's arguments) flowing, or the answer's end: an
# empty part opened and closed before an error tells the client nothing worth keeping.
CONTENT = (PartDelta, Stop)


class Hold:
    """What holding saw: whether it still holds, the first error event's JSON, and the
    answer's id (from its start event)."""

    __slots__ = ("answer_id", "event", "holding")

    def __init__(self) -> None:
        self.holding = True
        self.event: object = None
        self.answer_id: str | None = None

    def scan(self, messages: Iterable[sse.Event], parser: Any) -> list[Event]:
        """The events of these messages, noting the raw error event and the content."""
        batch: list[Event] = []
        for message in messages:
            events = parser.feed(message)
            for event in events:
                if isinstance(event, CONTENT):
                    self.holding = False
                elif isinstance(event, Start):
                    self.answer_id = event.id
                elif isinstance(event, StreamError) and self.event is None:
                    self.event = _json(message.data)
            batch.extend(events)
        return batch


async def held(batches: Batches, hold: Hold, attempt: Attempt) -> Batches:
    """The stream, once its first content (or the end of holding) came. An error before
    content that another account may not share is judged and raised instead."""
    kept: list[list[Event] | None] = []
    while True:
        try:
            batch = await anext(batches)
        except StopAsyncIteration:
            break
        kept.append(batch)
        if batch is None:  # a silence: the client needs its headers and a keep-alive
            break
        error = _error_before_content(batch)
        if error is not None:
            _judge(error, hold, attempt)
            if attempt.fail_over:
                await batches.aclose()
                raise error.error
            break
        if any(isinstance(event, CONTENT) for event in batch):
            break
    hold.holding = False
    return _replayed(kept, batches)


def _error_before_content(batch: list[Event] | None) -> StreamError | None:
    for event in batch or ():
        if isinstance(event, CONTENT):
            return None
        if isinstance(event, StreamError):
            return event
    return None


def _judge(error: StreamError, hold: Hold, attempt: Attempt) -> None:
    if hold.event is not None:
        attempt.stream_failed(hold.event)
    elif isinstance(error.error, UpstreamError):  # cut or timed out: no answer came
        attempt.unreachable()


async def _replayed(kept: list[list[Event] | None], rest: Batches) -> Batches:
    try:
        for batch in kept:
            yield batch
        async for batch in rest:
            yield batch
    finally:
        await rest.aclose()


def _json(data: str) -> object:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return data
