"""A process sharing a home's runtime state with the test that drives it:
`python -m tests.state.host.peer HOME`. It reads one JSON command per line on stdin
and answers each with one JSON line on stdout (first `{"ready": pid}`).

It stands for one `serve --workers` process: the test starts two, races them, kills
one with SIGKILL, or starts a new one on the same home as a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import mmap
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dragoman.state import ClientLogin, LastError, Period, Reservation, State, Window, open_state


class Witness:
    """An in-flight count kept apart from the code under test (its own file and lock),
    to see whether more than the limit ever ran at once."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.ftruncate(self.fd, 8)
        self.map = mmap.mmap(self.fd, 8)
        self.most = 0

    def enter(self) -> None:
        with self._locked():
            now = int.from_bytes(self.map[:4], "little") + 1
            self.map[:4] = now.to_bytes(4, "little")
        self.most = max(self.most, now)

    def leave(self) -> None:
        with self._locked():
            self.map[:4] = (int.from_bytes(self.map[:4], "little") - 1).to_bytes(4, "little")

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)


class Peer:
    def __init__(self, state: State, home: Path) -> None:
        self.state = state
        self.home = home
        self.held: list[Reservation] = []

    async def strike(self, account: str, scope: str, until: float) -> float:
        return self.state.health.strike(account, scope, "quota", "429 from a peer", until=until).until

    async def blocking(self, account: str, scope: str) -> float | None:
        found = self.state.health.blocking(account, scope)
        return None if found is None else found.until

    async def reset(self, account: str) -> None:
        self.state.health.reset(account)

    async def fail(self, account: str, status: int, message: str, at: float) -> None:
        self.state.health.failed(LastError(account, at, status, "quota", message))

    async def last_error(self, account: str) -> list[Any] | None:
        found = self.state.health.last_error(account)
        return None if found is None else [found.status, found.message, found.at]

    async def observe(self, account: str, name: str, used: float, resets_at: float, at: float) -> None:
        self.state.windows.observe(Window(account, "", name, used, 604_800, resets_at, at))

    async def windows(self, account: str) -> list[list[Any]]:
        return [[w.name, w.used_percent, w.resets_at] for w in self.state.windows.of(account)]

    async def saw_login(self, login: str, windows: str, at: float) -> None:
        self.state.client_logins.observe(ClientLogin(login, "claude_passthrough", windows, at))

    async def logins(self) -> list[list[Any]]:
        return [[seen.login, seen.windows, seen.seen_at] for seen in self.state.client_logins.all()]

    async def bind(self, session: str, account: str) -> None:
        self.state.bindings.bind(session, "m", account, ttl=3600)

    async def bound(self, session: str) -> str | None:
        return self.state.bindings.get(session, "m")

    async def acquire(self, account: str, limit: int, times: int) -> int:
        return sum([await self.state.in_flight.acquire(account, limit) for _ in range(times)])

    async def in_flight(self, account: str) -> int:
        return self.state.in_flight.count(account)

    async def acquire_storm(
        self, account: str, limit: int, tasks: int, seconds: float, start_at: float
    ) -> dict[str, int]:
        """`tasks` coroutines taking a slot, holding it 1 ms, and again, for `seconds`
        from `start_at` (wall clock, shared by the peers so that they race, however late
        each one got its order on a loaded machine)."""
        witness = Witness(self.home / "witness.bin")
        counts = {"ran": 0, "refused": 0}
        await _until(start_at)
        deadline = time.monotonic() + seconds

        async def one() -> None:
            while time.monotonic() < deadline:
                if not await self.state.in_flight.acquire(account, limit):
                    counts["refused"] += 1
                    await asyncio.sleep(0.0005)
                    continue
                witness.enter()
                counts["ran"] += 1
                await asyncio.sleep(0.001)  # the request, in flight
                witness.leave()
                self.state.in_flight.release(account)
                # A request's client sends the next one later: retaking the slot at once
                # would keep it in this process and starve the other of any turn.
                await asyncio.sleep(0.0005)

        await asyncio.gather(*(one() for _ in range(tasks)))
        return {**counts, "most": witness.most}

    async def reserve_storm(
        self, key: str, amount: float, limit: float, tasks: int, start_at: float = 0.0
    ) -> int:
        """`tasks` coroutines reserving `amount` again and again until refused, from
        `start_at`: the budget runs out while the other process reserves too."""
        taken: list[Reservation] = []
        await _until(start_at)

        async def one() -> None:
            while True:
                await asyncio.sleep(0)
                result = await self.state.counters.reserve(key, amount, limit, Period.fixed("month"))
                if not isinstance(result, Reservation):
                    return
                taken.append(result)

        await asyncio.gather(*(one() for _ in range(tasks)))
        self.held.extend(taken)
        return len(taken)

    async def used(self, key: str) -> float:
        return await self.state.counters.used(key, Period.fixed("month"))

    async def settle_all(self, actual: float) -> None:
        for held in self.held:
            await self.state.counters.settle(held, actual)
        self.held.clear()

    async def listen(self, count: int, seconds: float) -> list[Any]:
        subscription = self.state.feed.subscribe()
        print(json.dumps("listening"), flush=True)
        got: list[Any] = []
        try:
            async with asyncio.timeout(seconds):
                async for record in subscription:
                    got.append(record)
                    if len(got) == count:
                        break
        except TimeoutError:
            pass
        subscription.close()
        return got

    async def publish(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            self.state.feed.publish(record)

    async def pause(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _until(wall_time: float) -> None:
    await asyncio.sleep(max(0.0, wall_time - time.time()))


async def serve(home: Path) -> None:
    state = open_state(home, workers=True)
    await state.start()
    peer = Peer(state, home)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    print(json.dumps({"ready": os.getpid()}), flush=True)
    while line := await reader.readline():
        command = json.loads(line)
        if command["op"] == "stop":
            break
        result = await getattr(peer, command["op"])(**command.get("args", {}))
        print(json.dumps(result), flush=True)
    await state.stop()
    print(json.dumps("stopped"), flush=True)


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1])))
