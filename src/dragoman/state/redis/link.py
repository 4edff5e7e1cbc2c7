"""The connection to Redis that every part of the backend shares: the clients, the
names of our keys, whether Redis answers now, and errors that name the server with its
password masked.

`up` is the one switch the request path reads: after a connection error it is off, and
each part answers from this process alone (documented per part) until the watcher
(`RedisService`) has reconnected and re-synced, which turns it on again. A request
thus never waits on a Redis that is down, beyond the one call that found it so.
"""

from __future__ import annotations

import asyncio
import math
import secrets
from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

import orjson
import redis.asyncio as aioredis
from redis.asyncio.client import Pipeline
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from dragoman.config.load import ConfigError
from dragoman.config.masking import masked_url

DEFAULT_PREFIX = "dragoman:"
CONNECT_SECONDS = 2.0
COMMAND_SECONDS = 2.0
CONNECTIONS = 32
# How long a background writer gathers changes before sending them in one pipeline: most
# then ride along with the next request's own call instead (see slots.py, ledger.py).
BATCH_SECONDS = 0.005
# What a call that found Redis gone raises: the part falls back and turns `up` off.
DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)

T = TypeVar("T")


class RedisUnreachable(ConfigError):
    """Redis did not answer when the state started: said in one line naming the URL with
    its password masked (a ConfigError: `dragoman serve` prints it and exits)."""


async def check_reachable(url: str) -> None:
    """Raise RedisUnreachable unless the Redis at `url` answers a PING."""
    link = Link(url)
    try:
        await link.client.ping()
    except DOWN as error:
        raise link.unreachable(error) from None
    finally:
        await link.close()


class Link:
    """One Redis server under one key prefix, as seen by one process (a replica)."""

    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX) -> None:
        self.url = url
        self.shown = masked_url(url)
        self.prefix = prefix
        self.origin = secrets.token_hex(8)  # this replica, in messages and per-replica counts
        self.name = f"dragoman-{self.origin}"  # its connections' name (CLIENT LIST)
        self.client = client(url, self.name)
        self.up = False
        self.lost = asyncio.Event()  # set by `down`: wakes the watcher to reconnect
        self.calls: set[asyncio.Future[Any]] = set()  # shielded calls still running
        self._scripts: list[AsyncScript] = []

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def pattern(self, *parts: str) -> str:
        """A SCAN pattern for keys starting with `parts` (the prefix's glob characters escaped)."""
        escaped = "".join("\\" + char if char in "*?[]\\" else char for char in self.key(*parts))
        return escaped + "*"

    def script(self, text: str) -> AsyncScript:
        """A Lua script: called alone it is EVALSHA (loaded again if Redis forgot it); in a
        pipeline, `queue` it (loaded by `load_scripts` on every connect)."""
        script = self.client.register_script(text)
        self._scripts.append(script)
        return script

    async def load_scripts(self) -> None:
        for script in self._scripts:
            script.sha = await self.client.script_load(script.script)

    def queue(self, pipe: Pipeline, script: AsyncScript, keys: list[str], args: list[Any]) -> None:
        """Add a call of `script` to `pipe` (without redis-py's SCRIPT EXISTS per pipeline)."""
        pipe.evalsha(script.sha, len(keys), *keys, *args)

    def down(self, error: BaseException) -> None:
        """A call found Redis gone: the parts fall back until the watcher reconnects."""
        self.up = False
        self.lost.set()

    def unreachable(self, error: BaseException) -> RedisUnreachable:
        return RedisUnreachable(
            f"redis_url {self.shown}: cannot reach Redis ({type(error).__name__}: {error})"
        )

    async def shielded(self, call: Awaitable[T]) -> T:
        """`call`, with a cancellation let through at once. redis-py (6.4 to 8.2 here) can
        swallow a cancellation that lands in the middle of a call: the task then runs on
        as if never cancelled. Shielded, the call ends on its own (`close` waits for it)
        and the caller stops."""
        running = asyncio.ensure_future(call)
        self.calls.add(running)
        running.add_done_callback(self.calls.discard)
        return await asyncio.shield(running)

    async def close(self) -> None:
        if self.calls:
            await asyncio.wait(self.calls, timeout=COMMAND_SECONDS)
        await self.client.aclose()


def client(url: str, name: str) -> aioredis.Redis:
    """A client that fails fast: no retries (the caller falls back at once), short timeouts.
    Its pool is bounded and blocking: a burst of requests waits for a connection rather
    than failing (or opening hundreds)."""
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=CONNECTIONS,
        timeout=COMMAND_SECONDS,
        decode_responses=True,
        socket_connect_timeout=CONNECT_SECONDS,
        socket_timeout=COMMAND_SECONDS,
        retry=Retry(NoBackoff(), 0),
        client_name=name,
    )
    return aioredis.Redis.from_pool(pool)


async def cancel(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel `tasks` and wait for them, again while one runs on (see `shielded`)."""
    running = {task for task in tasks if not task.done()}
    for _ in range(50):
        if not running:
            return
        for task in running:
            task.cancel()
        _, running = await asyncio.wait(running, timeout=0.1)


def encode_fields(values: tuple[Any, ...], floats: tuple[bool, ...]) -> str:
    """A record's fields as a JSON list; an infinite float (until the user resets it) as "inf"."""
    return orjson.dumps(
        [
            "inf" if is_float and isinstance(v, float) and math.isinf(v) else v
            for v, is_float in zip(values, floats, strict=True)
        ]
    ).decode()


def decode_fields(text: str, floats: tuple[bool, ...]) -> list[Any]:
    values = orjson.loads(text)
    return [math.inf if is_float and v == "inf" else v for v, is_float in zip(values, floats, strict=True)]
