"""In-flight limits across replicas, and the slots of a replica that died."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys

from dragoman.state import State
from dragoman.state.redis.slots import LEASE
from tests.state.conftest import REDIS_URL
from tests.state.redis.conftest import Replicas


async def test_the_in_flight_limit_holds_across_replicas(replicas: Replicas) -> None:
    first, second = await replicas(2)
    running = {"now": 0, "most": 0, "ran": 0, "refused": 0}

    async def request(state: State) -> None:
        for _ in range(20):
            if not await state.in_flight.acquire("alice", 4):
                running["refused"] += 1
                await asyncio.sleep(0.001)
                continue
            running["now"] += 1
            running["ran"] += 1
            running["most"] = max(running["most"], running["now"])
            await asyncio.sleep(0.002)  # the request, in flight
            running["now"] -= 1
            state.in_flight.release("alice")

    await asyncio.gather(*(request(state) for state in (first, second) for _ in range(25)))
    assert running["most"] == 4, running  # the limit was reached, never passed
    assert running["refused"] > 0, running
    await asyncio.sleep(0.05)  # the last releases reach Redis
    assert await first.in_flight.acquire("alice", 4) and await second.in_flight.acquire("alice", 4)


async def test_a_killed_replicas_slots_come_back_when_its_lease_runs_out(
    replicas: Replicas, prefix: str
) -> None:
    (survivor,) = await replicas(1)
    peer = subprocess.Popen(
        [sys.executable, "-m", "tests.state.redis.peer", REDIS_URL, prefix, "alice", "3"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert peer.stdout is not None and peer.stdout.readline().strip() == "held"
        assert [await survivor.in_flight.acquire("alice", 4) for _ in range(2)] == [True, False]
        peer.send_signal(signal.SIGKILL)
        peer.wait(10)
    finally:
        if peer.poll() is None:
            peer.kill()
            peer.wait(10)
        if peer.stdout is not None:
            peer.stdout.close()

    async def reclaimed() -> bool:
        return await survivor.in_flight.acquire("alice", 4)

    freed, took = await _eventually(LEASE + 3.0, reclaimed)
    assert freed, f"the killed replica's slots still counted after {took:.1f} s"
    assert took > 0.5, "freed at once: the lease did not hold them"
    assert survivor.in_flight.count("alice") == 2


async def _eventually(seconds: float, probe: object) -> tuple[bool, float]:
    loop = asyncio.get_running_loop()
    began = loop.time()
    while loop.time() - began < seconds:
        if await probe():  # type: ignore[operator]
            return True, loop.time() - began
        await asyncio.sleep(0.1)
    return False, loop.time() - began
