"""At most `per_host` exchanges in flight to each upstream host; the rest wait in line.

A burst of 1,000 streams would otherwise open 1,000 connections to one upstream (the
pools keep no limit of their own, so that waiting is decided here, once, for both). An
exchange holds its slot from the request sent to the body closed (`UpstreamResponse.
aclose`), so the connections the pools open to a host never outnumber its slots. One
that waits longer than `queue_seconds` for a slot is refused with a 503 (`Unavailable`:
dragoman's own limit, not the upstream's failure, so its account is not judged for it).

Under the cap taking a slot is a dictionary read and an increment: no lock, no future
(the event loop runs one thing at a time). A freed slot goes straight to the oldest
waiter, so a steady stream of newcomers cannot overtake those in line.
"""

from __future__ import annotations

import asyncio
from collections import deque
from urllib.parse import urlsplit

from dragoman.ir.errors import Unavailable

DEFAULT_PER_HOST = 256
DEFAULT_QUEUE_SECONDS = 30.0


class HostSlots:
    """The slots of one host: how many are taken, and who waits for one."""

    __slots__ = ("busy", "host", "waiters")

    def __init__(self, host: str) -> None:
        self.host = host
        self.busy = 0
        self.waiters: deque[asyncio.Future[None]] = deque()

    def release(self) -> None:
        """Give the slot back: to the oldest waiter still waiting, else to the pool."""
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot changes hands: `busy` stays
                return
        self.busy -= 1


class ConnectionCap:
    def __init__(self, per_host: int = DEFAULT_PER_HOST, queue_seconds: float = DEFAULT_QUEUE_SECONDS):
        self.per_host = per_host
        self.queue_seconds = queue_seconds
        self._hosts: dict[str, HostSlots] = {}

    def slots(self, base_url: str) -> HostSlots:
        """The slots of the host `base_url` names (scheme, host and port)."""
        slots = self._hosts.get(base_url)
        if slots is None:
            parts = urlsplit(base_url)
            host = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
            slots = next((own for own in self._hosts.values() if own.host == host), None) or HostSlots(host)
            self._hosts[base_url] = slots
        return slots

    def take_now(self, base_url: str) -> HostSlots | None:
        """A slot towards `base_url`'s host if one is free and nobody waits; else None.
        A plain call, not a coroutine: the path every request takes under the cap."""
        slots = self._hosts.get(base_url) or self.slots(base_url)
        if slots.busy < self.per_host and not slots.waiters:
            slots.busy += 1
            return slots
        return None

    async def take(self, base_url: str) -> HostSlots:
        """A slot towards `base_url`'s host, waited for in line when all are taken;
        Unavailable after `queue_seconds`. The caller must `release()` it."""
        slots = self.take_now(base_url)
        if slots is None:
            slots = self.slots(base_url)
            await self._wait(slots)
        return slots

    async def _wait(self, slots: HostSlots) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        slots.waiters.append(waiter)
        try:
            async with asyncio.timeout(self.queue_seconds):
                await waiter
        except BaseException as error:
            if waiter.done() and not waiter.cancelled():
                slots.release()  # handed over as the wait ended: pass it on
            else:
                waiter.cancel()  # `release` skips it
            if isinstance(error, TimeoutError):
                raise self._refusal(slots) from None
            raise

    def _refusal(self, slots: HostSlots) -> Unavailable:
        # The host's name only: a base URL may carry a key in its path or query.
        return Unavailable(
            f"too many requests in flight to {urlsplit(slots.host).hostname}: its {self.per_host} "
            f"connections stayed busy for {self.queue_seconds:g} s (upstream_connections_per_host, "
            "upstream_queue_seconds); try again shortly",
            retry_after=1,
        )

    def in_flight(self) -> dict[str, int]:
        """Slots taken per host, for tests and the soak bench (no leak: all 0 at rest)."""
        return {slots.host: slots.busy for slots in set(self._hosts.values())}
