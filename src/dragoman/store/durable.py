"""Work that finishes once begun, whatever happens to the coroutine that asked for it.

A credential write, or a token refresh ending in one, must not be cut short by a
client that leaves: the provider may already have rotated the refresh token, and the
only copy of the new one is in the answer being written. `finish(work)` runs `work`
as a task of its own, kept referenced until it is done, and awaits it through
`asyncio.shield`: cancelling the caller cancels its wait, never the work. `@durable`
does the same for every call of an async method. `settle()` waits for what is still
running, and is awaited before a database closes.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

log = logging.getLogger("dragoman.store")

T = TypeVar("T")
P = ParamSpec("P")

# Every unfinished piece of work, so none is garbage collected while it runs.
_running: set[asyncio.Task[Any]] = set()


async def finish(work: Coroutine[Any, Any, T]) -> T:
    """`work`'s result; a cancelled caller stops waiting, `work` runs on to its end."""
    task = asyncio.ensure_future(work)
    _running.add(task)
    task.add_done_callback(_done)
    return await asyncio.shield(task)


def durable(method: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """`method`, each call of it run by `finish`."""

    @functools.wraps(method)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return await finish(method(*args, **kwargs))

    return run


async def settle() -> None:
    """Wait until no work started in this event loop is running (failures are logged)."""
    loop = asyncio.get_running_loop()
    while pending := [task for task in _running if task.get_loop() is loop]:
        await asyncio.wait(pending)


def _done(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    # Read here, so a failure whose caller has left is logged rather than lost; a caller
    # still waiting gets it too. Only its type: a database error can quote the tokens.
    if not task.cancelled() and (error := task.exception()) is not None:
        log.debug("work that had to finish failed: %s", type(error).__name__)
