"""Trace batches written to a SQLite file by a process of its own (`sqlite_process`),
with Python's sqlite3 module.

Through SQLAlchemy's asyncio engine a batch cost the event loop about 1.3 ms of
transaction plumbing whatever its size, and loading SQLAlchemy cost some 20 MiB. A
thread of the gateway's own did it next, but its Python (the rows built, the values
bound) took the GIL from the event loop. Now the loop hands a batch over as JSON
lines (the records as the tracer keeps them encoded) through a pipe, and the writer's
process builds the rows and runs SQLite on whatever core is free. It starts with the
first write and ends when `close` closes its stdin (or the gateway dies), or after a
minute without writes: an idle gateway does not keep its 17-21 MiB. A write, once
handed over, runs to its commit and its answer is read even if whoever awaited it is
cancelled (a server stopping). A writer that died costs the batch it held; the next
write starts another.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import orjson

from dragoman.observe.traces.sqlite_process import FRAME, RETAIN, WRITE

# How long a closing writer may take to finish what it holds before it is killed.
CLOSE_SECONDS = 10.0
# A writer given nothing for this long ends; the next write starts another (in tens of
# milliseconds, off the request path: batches are written in the background).
IDLE_SECONDS = 60.0


class TraceWriteError(Exception):
    """The writer's process could not write (SQLite refused, or the process died)."""


class SqliteWriter:
    """The writer's process, asked one thing at a time: every write in the order asked."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._process: asyncio.subprocess.Process | None = None
        self._turn = asyncio.Lock()
        # Ends the process once idle; re-armed by every request.
        self._idle: asyncio.TimerHandle | None = None
        self._ending: set[asyncio.Task[None]] = set()

    async def write(self, encoded: list[bytes]) -> None:
        """Write the records' traces and ledger rows in one transaction; each record
        is given as its JSON, which holds no newline (orjson escapes them)."""
        await self._ask(WRITE, b"\n".join(encoded))

    async def retain(self, before: float, max_count: int) -> int:
        """Delete traces older than `before` and beyond the newest `max_count`."""
        answer = await self._ask(RETAIN, orjson.dumps([before, max_count]))
        return int(answer["removed"])

    async def close(self) -> None:
        """The process ends once it has written what it was given."""
        self._disarm()
        async with self._turn:
            await self._end()

    async def _end(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            await _ended(process)

    def _disarm(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None

    def _arm(self) -> None:
        self._disarm()
        self._idle = asyncio.get_running_loop().call_later(IDLE_SECONDS, self._end_idle)

    def _end_idle(self) -> None:
        self._idle = None
        task = asyncio.ensure_future(self._end_if_idle())
        self._ending.add(task)  # held: the loop keeps only a weak reference
        task.add_done_callback(self._ending.discard)

    async def _end_if_idle(self) -> None:
        async with self._turn:
            if self._idle is None:  # no request came while it waited its turn
                await self._end()

    async def _ask(self, kind: bytes, payload: bytes) -> dict[str, Any]:
        # Shielded: once handed over, a request is answered and its answer read, so the
        # next one reads its own; a cancelled caller just stops waiting for it.
        asked = asyncio.ensure_future(self._exchange(kind, payload))
        asked.add_done_callback(_retrieved)
        return await asyncio.shield(asked)

    async def _exchange(self, kind: bytes, payload: bytes) -> dict[str, Any]:
        async with self._turn:
            self._arm()
            process = self._process or await self._start()
            line = await _asked(process, FRAME.pack(kind, len(payload)), payload)
            if not line:
                self._process = None
                await _ended(process)
                raise TraceWriteError(f"the trace writer's process ended (exit code {process.returncode})")
        answer: dict[str, Any] = orjson.loads(line)
        if "error" in answer:
            raise TraceWriteError(answer["error"])
        return answer

    async def _start(self) -> asyncio.subprocess.Process:
        module = "dragoman.observe.traces.sqlite_process"
        # A session of its own: a terminal's Ctrl-C, sent to the gateway's process group,
        # must not reach a writer still starting (before it ignores SIGINT), which would
        # take its batch down with it. It ends when the gateway closes its stdin.
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, str(self._path),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        return self._process


async def _asked(process: asyncio.subprocess.Process, header: bytes, payload: bytes) -> bytes:
    """The process's answer line to a request; b"" when it has gone."""
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(header)  # apart: a batch is hundreds of kB, not copied to join them
        process.stdin.write(payload)
        await process.stdin.drain()
    except ConnectionError:
        return b""
    return await process.stdout.readline()


async def _ended(process: asyncio.subprocess.Process) -> None:
    """The process told to end (its stdin closed) and waited for; killed if it hangs."""
    assert process.stdin is not None
    process.stdin.close()
    try:
        await asyncio.wait_for(process.wait(), CLOSE_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()


def _retrieved(asked: asyncio.Future[Any]) -> None:
    """Its failure read, so that one whose caller was cancelled is not reported by
    asyncio as never retrieved (the server is stopping: its log says enough)."""
    if not asked.cancelled():
        asked.exception()
