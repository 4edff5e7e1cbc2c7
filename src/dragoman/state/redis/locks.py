"""Locks shared by replicas on many hosts through Redis, with fencing.

    lock:<name>    the holder's random token, SET NX PX: it expires unless renewed
    fence:<name>   the fencing counter, INCR'd by the script that takes the lock

A lock on Redis can be lost while held: a holder paused (or cut off) past LEASE_MS
comes back to find another holding it. So each holding gets a fence, larger than any
before it, which the guarded write carries and the database checks (a write with an
older fence than the stored one is refused): a stale holder can never overwrite what a
later one wrote. While held the lock is renewed every LEASE_MS / 3; it is released by a
compare-and-delete, so a holder never releases another's lock.

Coroutines of one process queue on an asyncio lock first: one of them polls Redis. With
Redis down (`link.up` off) the lock falls back to the host's file lock (`host/locks.py`)
when the replica has a home: replicas on one host stay exclusive, as they were before
Redis; replicas on other hosts are not, which the fences still make safe to write.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from dragoman.state.host.locks import file_lock
from dragoman.state.locking import WAIT_SECONDS, LocalLocks, LockTimeout, SureLease
from dragoman.state.redis.link import DOWN, Link

LEASE_MS = 10_000
POLL_SECONDS = 0.02

# KEYS: lock, fence. ARGV: token, lease ms. The fence, or 0 when another holds the lock.
TAKE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0
"""
# KEYS: lock. ARGV: token, lease ms. 1 if still ours (and renewed), else 0.
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# KEYS: lock. ARGV: token. Deletes the lock only if it is still ours.
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
# KEYS: lock, fence. ARGV: token, own fence, stored fence. A fence above the stored one,
# moving the counter past it if it fell behind (Redis restarted empty); 0 if not ours.
ABOVE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local own, stored = tonumber(ARGV[2]), tonumber(ARGV[3])
if own > stored then return own end
local next = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), stored) + 1
redis.call('SET', KEYS[2], next)
return next
"""


class RedisLease:
    """One holding of a Redis lock."""

    def __init__(self, locks: RedisLocks, name: str, token: str, fence: int) -> None:
        self._locks, self.name, self.token = locks, name, token
        self.fence = fence

    async def fence_above(self, stored: int) -> int:
        link = self._locks.link
        keys = [link.key("lock", self.name), link.key("fence", self.name)]
        try:
            return int(await link.shielded(self._locks.above(keys, [self.token, self.fence, stored])))
        except DOWN as error:
            link.down(error)
            return 0


class RedisLocks:
    def __init__(self, link: Link, home: Path | None = None, lease_ms: int = LEASE_MS) -> None:
        self.link, self.home, self.lease_ms = link, home, lease_ms
        self._local = LocalLocks()
        self.take, self.renew = link.script(TAKE), link.script(RENEW)
        self.release, self.above = link.script(RELEASE), link.script(ABOVE)

    @contextlib.asynccontextmanager
    async def hold(self, name: str, wait: float = WAIT_SECONDS) -> AsyncIterator[RedisLease | SureLease]:
        async with self._local.hold(name, wait):
            lease = await self._take(name, wait) if self.link.up else None
            if lease is None:
                async with self._fallback(name, wait) as sure:
                    yield sure
                return
            keeper = asyncio.create_task(self._keep(lease), name=f"state-redis-lock-{name}")
            try:
                yield lease
            finally:
                keeper.cancel()
                await self._give_back(lease)

    @contextlib.asynccontextmanager
    async def _fallback(self, name: str, wait: float) -> AsyncIterator[SureLease]:
        if self.home is None:
            yield SureLease()
            return
        async with file_lock(self.home / "locks" / f"{name}.lock", wait):
            yield SureLease()

    async def _take(self, name: str, wait: float) -> RedisLease | None:
        """The lock on Redis, or None when Redis is found gone (the caller falls back)."""
        keys = [self.link.key("lock", name), self.link.key("fence", name)]
        token = secrets.token_hex(16)
        deadline = asyncio.get_running_loop().time() + wait
        while True:
            try:
                fence = int(await self.link.shielded(self.take(keys, [token, self.lease_ms])))
            except DOWN as error:
                self.link.down(error)
                return None
            if fence:
                return RedisLease(self, name, token, fence)
            if asyncio.get_running_loop().time() > deadline:
                raise LockTimeout(f"the lock {name!r} stayed held on Redis for {wait:g} s")
            await asyncio.sleep(POLL_SECONDS)

    async def _keep(self, lease: RedisLease) -> None:
        """Renew the lock while it is held; stop once it is lost (the fence protects)."""
        key = self.link.key("lock", lease.name)
        while True:
            await asyncio.sleep(self.lease_ms / 3000)
            try:
                if not await self.renew([key], [lease.token, self.lease_ms]):
                    return
            except DOWN:
                return

    async def _give_back(self, lease: RedisLease) -> None:
        with contextlib.suppress(*DOWN):
            await self.link.shielded(self.release([self.link.key("lock", lease.name)], [lease.token]))
