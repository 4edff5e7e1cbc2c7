"""config.toml changed while serving: the parts that can change live are applied.

Once a second a background task looks at the file's size, modification time and inode
(one `stat`, nothing read). When they change, and stay so for a moment (a file being
written), it reads the settings again as `serve` did at start (`config.origin`: the
file, then `DRAGOMAN_*` variables and flags on top), and hands the parts in `LIVE` to
the gateway (`Gateway.reconfigure`): the pools' strategies, reserve, session TTL and
slowness, every provider (added, removed, its priority, weight, concurrency limit,
enabled), the model aliases, fallback and fallback chains, `[auto]` and the routing rules. What
the running process cannot take
without a restart (its addresses, workers, database, local keys...) is logged once per
change as "needs a restart: FIELD" and left as it was started. A file that does not
load keeps the running configuration, with the same error `serve` would print at
start, logged once per broken version of the file; so does a file that is gone.

Requests never wait for any of it: the gateway swaps whole values (`Gateway.publish`),
so a request sees the old configuration or the new one. Every worker of `serve
--workers` runs its own watch on the same file.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from dragoman.config import ConfigError, Settings
from dragoman.config.origin import ConfigOrigin

log = logging.getLogger("dragoman.config")

POLL_SECONDS = 1.0
SETTLE_SECONDS = 0.2
# The settings a running gateway takes from a changed file.
LIVE = ("pools", "providers", "models", "auto", "routing")

Signature = tuple[int, int, int] | None
_UNTOLD = object()


class ConfigWatch:
    """Watches the file `origin` reads; `apply` gets the running settings with the
    changed `LIVE` parts (it may raise ConfigError: a provider that cannot be built, a
    model the routing config names that nothing could serve)."""

    def __init__(
        self,
        origin: ConfigOrigin,
        running: Settings,
        apply: Callable[[Settings], None],
        environ: Mapping[str, str] = os.environ,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.origin = origin
        self.running = running
        self.apply = apply
        self.environ = environ
        self.poll_seconds = poll_seconds
        self.path = origin.path(environ)
        self.seen = signature(self.path)
        # Field -> the value last reported as needing a restart: said once per change.
        self._told: dict[str, object] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch(), name="dragoman-config-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            now = signature(self.path)
            if now == self.seen:
                continue
            # A file being written (truncated, then filled) is read once it stops changing.
            await asyncio.sleep(SETTLE_SECONDS)
            if signature(self.path) != now:
                continue
            self.seen = now
            try:
                self.reload()
            except Exception:  # a bug here must not end the watch for the rest of the run
                log.exception("%s changed and applying it failed; the running configuration stays", self.path)

    def reload(self) -> None:
        """Read the file again and apply what changed in it."""
        if not self.path.exists():  # moved away or deleted: not a wish to serve nothing
            log.warning("%s is gone: the running configuration stays", self.path)
            return
        try:
            fresh = self.origin.load(self.environ)
        except ConfigError as error:
            self._refused(error)
            return
        self._needs_restart(fresh)
        changed = {
            name: getattr(fresh, name) for name in LIVE if getattr(fresh, name) != getattr(self.running, name)
        }
        if not changed:
            return
        updated = self.running.model_copy(update=changed)
        try:
            self.apply(updated)
        except ConfigError as error:
            self._refused(error)
            return
        self.running = updated
        log.info("%s changed: now serving its new %s", self.path, ", ".join(f"[{name}]" for name in changed))

    def _refused(self, error: ConfigError) -> None:
        log.error("%s changed but cannot be used, the running configuration stays: %s", self.path, error)

    def _needs_restart(self, fresh: Settings) -> None:
        for name in type(fresh).model_fields:
            if name in LIVE:
                continue
            value = getattr(fresh, name)
            if value == getattr(self.running, name):
                self._told.pop(name, None)
            elif self._told.get(name, _UNTOLD) != value:
                self._told[name] = value
                log.warning("%s changed: needs a restart: %s", self.path, name)


def signature(path: Path) -> Signature:
    """What tells a file changed without reading it; None while it does not exist."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino
