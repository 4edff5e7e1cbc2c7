"""StreamedResponse against a hand-made ASGI peer: a client that leaves ends the sending at
once and quietly, a body that ends sends the final message, a body that fails cuts the
answer short, and any cancel that is not the client's passes through. Then through a
real gateway: a client leaving a passed-through stream closes the upstream's."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncGenerator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.types import Message

from dragoman.ir.errors import UpstreamUnreachable
from dragoman.server.streamed import LastChunk, StreamedResponse
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF, serve_gateway

SCOPE = {"type": "http", "method": "POST", "path": "/"}


@dataclass
class Source:
    """A body that says how far it got and whether its cleanup ran."""

    chunks: int
    gap: float = 0.0
    failure: Exception | None = None
    produced: int = 0
    cleaned_up: bool = False

    async def body(self) -> AsyncGenerator[bytes, None]:
        try:
            for number in range(self.chunks):
                if self.gap:
                    await asyncio.sleep(self.gap)
                self.produced += 1
                yield b"chunk %d" % number
            if self.failure is not None:
                raise self.failure
        finally:
            self.cleaned_up = True


@dataclass
class Client:
    """The server side of one connection: what was sent, and a disconnect when `gone` is set.

    `pending` are the messages `receive` gives before it waits (a request body not read
    yet); the write of the chunk `stall_on` waits until the client leaves (uvicorn
    ends a wait for the socket to drain when the connection drops), that of `hang_on`
    (or of the headers, `hang_on_start`) never ends by itself; `on_leave` runs as the
    disconnect is handed over.
    """

    pending: list[Message] = field(default_factory=list)
    stall_on: bytes | None = None
    hang_on: bytes | None = None
    hang_on_start: bool = False
    on_leave: Callable[[], object] | None = None
    sent: list[Message] = field(default_factory=list)
    gone: asyncio.Event = field(default_factory=asyncio.Event)

    async def receive(self) -> Message:
        if self.pending:
            return self.pending.pop(0)
        await self.gone.wait()
        if self.on_leave is not None:
            self.on_leave()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        self.sent.append(message)
        if self.hang_on_start and message["type"] == "http.response.start":
            await asyncio.Event().wait()
        body = message.get("body")
        if body is not None and body == self.stall_on:
            await self.gone.wait()
        if body is not None and body == self.hang_on:
            await asyncio.Event().wait()

    def leave_after(self, seconds: float) -> None:
        asyncio.get_running_loop().call_later(seconds, self.gone.set)

    @property
    def bodies(self) -> list[bytes]:
        return [message["body"] for message in self.sent if message["type"] == "http.response.body"]

    @property
    def finished(self) -> bool:
        return self.sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


async def serve(response: StreamedResponse, client: Client) -> int:
    """Run the response in the current task; the task's pending cancels once it returned
    and the loop had a turn (a stray cancel would be raised by that turn)."""
    await response(SCOPE, client.receive, client.send)
    await asyncio.sleep(0)
    task = asyncio.current_task()
    assert task is not None
    return task.cancelling()


async def only_task_left() -> bool:
    """True once every task but the current one is gone, given a few turns of the loop."""
    for _ in range(3):
        await asyncio.sleep(0)
    return asyncio.all_tasks() == {asyncio.current_task()}


async def in_task(work: Coroutine[Any, Any, int]) -> int:
    # A task of its own, so its cancel count is the response's doing alone.
    return await asyncio.create_task(work)


async def test_a_client_leaving_before_the_body_began_still_gets_the_cleanup_run() -> None:
    source, client, closed = Source(chunks=3), Client(hang_on_start=True), []

    async def cleanup() -> None:
        closed.append(True)

    client.leave_after(0.05)
    cancels = await in_task(serve(StreamedResponse(source.body(), cleanup=cleanup), client))
    assert (cancels, source.produced, closed) == (0, 0, [True])
    assert not source.cleaned_up  # the body never began: its own cleanup could not run


async def test_a_client_leaving_mid_stream_stops_the_sending_and_the_call_returns() -> None:
    source, client = Source(chunks=50, gap=0.02), Client()
    client.leave_after(0.1)
    started = asyncio.get_running_loop().time()
    cancels = await in_task(serve(StreamedResponse(source.body()), client))
    assert asyncio.get_running_loop().time() - started < 0.5  # the whole body takes 1 s
    assert cancels == 0
    assert source.cleaned_up
    assert 0 < source.produced < 50
    assert not client.finished  # nothing more is sent to a client that left
    assert await only_task_left()


async def test_a_client_leaving_while_a_write_hangs_closes_the_suspended_body() -> None:
    source, client = Source(chunks=5), Client(hang_on=b"chunk 1")
    client.leave_after(0.05)
    cancels = await in_task(serve(StreamedResponse(source.body()), client))
    assert cancels == 0
    assert source.produced == 2 and source.cleaned_up  # closed at its yield, not run on
    assert client.bodies == [b"chunk 0", b"chunk 1"]
    assert await only_task_left()


async def test_a_client_leaving_as_the_last_write_ends_leaves_no_cancel_behind() -> None:
    """The watcher sees the disconnect just before the body ends: its callback, already
    scheduled, must not cancel the task after the response is over."""

    async def body() -> AsyncGenerator[bytes, None]:
        await asyncio.sleep(0)  # the watcher waits on the client first, as it does in a server
        yield b"first"
        yield b"last"

    client = Client(stall_on=b"last")
    client.leave_after(0.05)
    cancels = await in_task(serve(StreamedResponse(body()), client))
    assert cancels == 0
    assert client.finished
    assert await only_task_left()


async def test_a_finished_body_sends_start_chunks_and_the_final_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = Source(chunks=3)
    client = Client(pending=[{"type": "http.request", "body": b"{}", "more_body": False}])
    response = StreamedResponse(source.body(), status_code=201, media_type="text/event-stream")
    with caplog.at_level(logging.WARNING):
        cancels = await in_task(serve(response, client))
        assert cancels == 0
        assert client.sent[0]["type"] == "http.response.start"
        assert client.sent[0]["status"] == 201
        assert (b"content-type", b"text/event-stream; charset=utf-8") in client.sent[0]["headers"]
        assert client.bodies == [b"chunk 0", b"chunk 1", b"chunk 2", b""]
        assert [message["more_body"] for message in client.sent[1:]] == [True, True, True, False]
        assert source.cleaned_up
        assert await only_task_left()  # the disconnect watcher is gone with the response
        del response, client
        gc.collect()
    assert not caplog.records  # e.g. asyncio's "Task was destroyed but it is pending!"


async def test_a_last_chunk_ends_the_response_in_the_same_message() -> None:
    """A body that knows its end (the relay does once the upstream's bytes are all in)
    marks its last chunk, which goes out with `more_body: False`: one write fewer."""
    closed = False

    async def body() -> AsyncGenerator[bytes, None]:
        nonlocal closed
        try:
            yield b"first"
            yield LastChunk(b"last")
            yield b"never sent"
        finally:
            closed = True

    client = Client()
    cancels = await in_task(serve(StreamedResponse(body()), client))
    assert cancels == 0
    assert client.bodies == [b"first", b"last"]
    assert [message["more_body"] for message in client.sent[1:]] == [True, False]
    assert closed
    assert await only_task_left()


async def test_a_gateway_error_mid_body_cuts_the_answer_short_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = Source(chunks=2, failure=UpstreamUnreachable("up dropped the connection"))
    client = Client()
    with caplog.at_level(logging.WARNING, logger="dragoman.server"):
        cancels = await in_task(serve(StreamedResponse(source.body()), client))
    assert cancels == 0
    assert client.bodies == [b"chunk 0", b"chunk 1"]  # no final message: the client sees a cut
    assert not client.finished
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "answer cut short: up dropped the connection"
    assert source.cleaned_up
    assert await only_task_left()


async def test_a_cancel_that_is_not_the_clients_passes_through() -> None:
    """A server shutting down cancels the response's task: the task must end cancelled."""
    source, client = Source(chunks=50, gap=0.02), Client()
    task = asyncio.create_task(serve(StreamedResponse(source.body()), client))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert source.cleaned_up and source.produced < 50
    assert await only_task_left()


async def test_a_cancel_arriving_with_the_clients_leaving_still_passes_through() -> None:
    """Shutdown and disconnect together: taking back our own cancel must not swallow the other."""
    source = Source(chunks=2, gap=10)
    client = Client()
    task = asyncio.create_task(serve(StreamedResponse(source.body()), client))
    # The outer cancel comes first, the watcher's right after, both before the task runs.
    client.on_leave = lambda: asyncio.get_running_loop().call_soon(task.cancel)
    await asyncio.sleep(0.05)
    client.gone.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert source.cleaned_up
    assert await only_task_left()


# -- through a real gateway -------------------------------------------------------------------
# (The relay's streams are pinned in test_relay.py; pass-through is the other user.)


def test_a_client_leaving_a_passed_through_stream_closes_the_upstream_stream(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="word " * 50, chunks=50, chunk_delay=0.1))
    body = {"model": MODEL_OF["openai_chat"], "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    with serve_gateway(fakes) as url:
        with httpx.stream(
            "POST", url + "/up_openai_chat/v1/chat/completions", json=body, timeout=10
        ) as response:
            assert next(response.iter_raw()).startswith(b"data: ")
            left = time.monotonic()
        [upstream] = fakes.openai_chat.streams
        assert upstream.over.wait(timeout=2)  # the whole answer takes over 5 s
        assert time.monotonic() - left < 1
        assert upstream.abandoned and upstream.sent < 20
        fakes.openai_chat.script(Reply(text="next"))
        answer = httpx.post(url + "/up_openai_chat/v1/chat/completions", json={**body, "stream": False})
    assert answer.status_code == 200, answer.text
    assert answer.json()["choices"][0]["message"]["content"] == "next"
