"""A replica in a process of its own, for a test to kill with -9:
`python -m tests.state.redis.peer URL PREFIX ACCOUNT N` takes N in-flight slots of
ACCOUNT (under a limit, so through Redis), says "held", and waits to be killed."""

from __future__ import annotations

import asyncio
import sys

from dragoman.state import open_state


async def hold(url: str, prefix: str, account: str, count: int) -> None:
    state = open_state(None, redis_url=url, redis_prefix=prefix)
    await state.start()
    taken = [await state.in_flight.acquire(account, 1000) for _ in range(count)]
    print("held" if all(taken) else "refused", flush=True)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(hold(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
