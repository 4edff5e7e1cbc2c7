"""The state bundle the gateway holds, and `open_state`, which picks its backend.

    state = open_state(settings, workers=settings.workers > 1)
    await state.start()          # the app's lifespan; background sharing and sweeping
    ...state.health.blocking(label, family)...
    await state.stop()           # flushes what is not yet shared or kept

Nothing in the gateway reaches around it: a backend is one more entry in BACKENDS.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from dragoman.state.protocols import Bindings, ClientLogins, Counters, Feed, Health, InFlight, Locks, Windows

if TYPE_CHECKING:
    from collections.abc import Callable

    from dragoman.config import Settings

# Backends by name, imported only when chosen (the host one opens files and sockets,
# the redis one imports redis-py).
BACKENDS: dict[str, str] = {
    "memory": "dragoman.state.memory:open_memory",
    "host": "dragoman.state.host:open_host",
    "redis": "dragoman.state.redis:open_redis",
}
REDIS_PREFIX = "dragoman:"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a backend keeps its state: a home folder (host), a Redis server and the
    prefix of its keys there (redis); memory needs neither."""

    home: Path | None = None
    redis_url: str | None = None
    redis_prefix: str = REDIS_PREFIX


class Service(Protocol):
    """What a backend runs beside the requests: sharing, keeping, sweeping."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def problem(self) -> str | None:
        """What keeps the state from being shared now, in a line with no secret (for a
        readiness probe); None when nothing does."""


@dataclass(slots=True)
class State:
    """Every kind of runtime state, from one backend."""

    backend: str
    health: Health
    windows: Windows
    bindings: Bindings
    in_flight: InFlight
    counters: Counters
    feed: Feed
    service: Service
    locks: Locks
    client_logins: ClientLogins

    async def start(self) -> None:
        await self.service.start()

    async def stop(self) -> None:
        await self.service.stop()

    async def __aenter__(self) -> State:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.stop()


def open_state(
    source: Settings | Path | None,
    workers: bool = False,
    *,
    backend: str | None = None,
    clock: Callable[[], float] = time.time,
    redis_url: str | None = None,
    redis_prefix: str | None = None,
) -> State:
    """The state for a gateway whose home is `source` (settings or the home folder).

    With a `redis_url` (the settings' or given) the `redis` backend is used: replicas on
    many hosts share one Redis. Else with a home the `host` backend, even for one
    process: cooldowns, usage windows and spend must survive a restart, and `dragoman`
    commands run beside `serve` see the same state. `memory` (no home, or asked for)
    keeps nothing and shares nothing, so it refuses `workers`: a dict per worker lets N
    times a limit through.
    """
    home = source if isinstance(source, Path) or source is None else source.home
    if source is not None and not isinstance(source, Path):
        redis_url = redis_url or source.redis_url
        redis_prefix = redis_prefix or source.redis_prefix
    chosen = backend or ("redis" if redis_url else "memory" if home is None else "host")
    if chosen not in BACKENDS:
        raise ValueError(f"unknown state backend {chosen!r} (known: {', '.join(BACKENDS)})")
    if chosen == "memory" and workers:
        raise ValueError("workers share runtime state through their home: the memory backend cannot")
    module, _, name = BACKENDS[chosen].partition(":")
    opener: Callable[[Place, Callable[[], float]], State] = getattr(importlib.import_module(module), name)
    place = Place(home.expanduser() if home is not None else None, redis_url, redis_prefix or REDIS_PREFIX)
    return opener(place, clock)
