"""In-flight counts shared by the replicas through Redis.

Per account a hash of per-replica counts (`<prefix>inflight:<account>`: replica -> n),
and one hash of leases (`<prefix>replicas`: replica -> until when, in Redis's own
milliseconds), renewed every HEARTBEAT seconds. `acquire` with a limit is one script:
it sums the counts of the replicas whose lease runs (deleting the others': a replica
that died, even by kill -9, gives its slots back within LEASE seconds), compares, adds
one. Without a limit nothing needs checking: the count goes up here at once and Redis
hears of it in the background, with the releases (HINCRBY, deleted at 0).

`count` is read from memory: this replica's own count, exact, plus the others' as the
last script or the periodic refresh (every HEARTBEAT) saw them.

While Redis is unreachable each replica checks its limits against its own count alone;
on reconnect it writes its own counts back (they are the truth for its field).
"""

from __future__ import annotations

import asyncio
from typing import Any

from dragoman.state.redis.link import BATCH_SECONDS, DOWN, Link

LEASE = 5.0
HEARTBEAT = 1.0

# KEYS: the account's counts, the leases. ARGV: this replica, the limit (-1: none), a
# change of our own count not yet sent (the releases since the last call).
ACQUIRE = """
local clock = redis.call('TIME')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
if ARGV[3] ~= '0' and redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[3]) <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
end
local counts = redis.call('HGETALL', KEYS[1])
local own, others = 0, 0
for i = 1, #counts, 2 do
  local replica, n = counts[i], tonumber(counts[i + 1])
  if replica == ARGV[1] then
    own = n
  elseif tonumber(redis.call('HGET', KEYS[2], replica) or '0') < now then
    redis.call('HDEL', KEYS[1], replica)
  else
    others = others + n
  end
end
local limit = tonumber(ARGV[2])
if limit >= 0 and own + others >= limit then return {0, others} end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
return {1, others}
"""

# KEYS: the account's counts. ARGV: this replica, the change.
CHANGE = """
local left = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if left <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return left
"""

# KEYS: the leases. ARGV: this replica, the lease in ms. Leases over an hour old go
# (replicas that died, or stopped without a word): their counts are ignored either way.
RENEW = """
local clock = redis.call('TIME')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
redis.call('HSET', KEYS[1], ARGV[1], now + tonumber(ARGV[2]))
local leases = redis.call('HGETALL', KEYS[1])
for i = 1, #leases, 2 do
  if tonumber(leases[i + 1]) < now - 3600000 then redis.call('HDEL', KEYS[1], leases[i]) end
end
return now
"""


class RedisInFlight:
    def __init__(self, link: Link) -> None:
        self.link = link
        self._leases = link.key("replicas")
        self._own: dict[str, int] = {}
        self._others: dict[str, int] = {}
        self._unsent: dict[str, int] = {}  # account -> change of our count Redis has not heard
        self._wake = asyncio.Event()
        self._acquire = link.script(ACQUIRE)
        self._change = link.script(CHANGE)
        self._renew = link.script(RENEW)

    def count(self, account: str) -> int:
        others = self._others.get(account)
        if others is None:  # an account asked about is refreshed from now on
            others = self._others[account] = 0
        return self._own.get(account, 0) + others

    async def acquire(self, account: str, limit: int | None) -> bool:
        if limit is None or not self.link.up:
            return self._alone(account, limit)
        change = self._unsent.pop(account, 0)
        call = asyncio.ensure_future(
            self._acquire(keys=[self._counts(account), self._leases], args=[self.link.origin, limit, change])
        )
        try:
            granted, others = await self.link.shielded(call)
        except asyncio.CancelledError:  # the slot, if taken, is given back as the call ends
            call.add_done_callback(lambda done: self._abandoned(account, done))
            raise
        except DOWN as error:
            self.link.down(error)
            return self._alone(account, limit)
        self._others[account] = int(others)
        if granted:
            self._own[account] = self._own.get(account, 0) + 1
        return bool(granted)

    def release(self, account: str) -> None:
        held = self._own.get(account, 0)
        if held <= 0:
            return
        self._own[account] = held - 1
        self._unsent[account] = self._unsent.get(account, 0) - 1
        self._wake.set()

    async def run(self) -> None:
        """Send the count changes as they come, until cancelled."""
        while True:
            await self._wake.wait()
            await asyncio.sleep(BATCH_SECONDS)
            self._wake.clear()
            if self.link.up:
                await self.flush()

    async def flush(self) -> None:
        changes, self._unsent = {a: n for a, n in self._unsent.items() if n}, {}
        if not changes:
            return
        pipe = self.link.client.pipeline(transaction=False)
        for account, change in changes.items():
            self.link.queue(pipe, self._change, [self._counts(account)], [self.link.origin, change])
        try:
            await self.link.shielded(pipe.execute())
        except DOWN as error:
            self.link.down(error)  # the reconnect writes our counts back whole

    async def heartbeat(self) -> None:
        """Renew our lease and read the others' counts of the accounts we know."""
        pipe = self.link.client.pipeline(transaction=False)
        self.link.queue(pipe, self._renew, [self._leases], [self.link.origin, int(LEASE * 1000)])
        pipe.hgetall(self._leases)
        accounts = list(self._own.keys() | self._others.keys())
        for account in accounts:
            pipe.hgetall(self._counts(account))
        now, leases, *counts = await self.link.shielded(pipe.execute())
        for account, held in zip(accounts, counts, strict=True):
            self._others[account] = _alive(held, leases, int(now), self.link.origin)

    async def resync(self) -> None:
        """After a (re)connect: our counts written whole, our lease renewed."""
        self._unsent.clear()
        pipe = self.link.client.pipeline(transaction=False)
        for account, held in self._own.items():
            if held > 0:
                pipe.hset(self._counts(account), self.link.origin, held)
            else:
                pipe.hdel(self._counts(account), self.link.origin)
        await self.link.shielded(pipe.execute())
        await self.heartbeat()

    async def leave(self) -> None:
        """This replica stops: its counts and lease go."""
        pipe = self.link.client.pipeline(transaction=False)
        for account in self._own:
            pipe.hdel(self._counts(account), self.link.origin)
        pipe.hdel(self._leases, self.link.origin)
        await self.link.shielded(pipe.execute())

    def _abandoned(self, account: str, call: asyncio.Future[Any]) -> None:
        if not call.cancelled() and call.exception() is None and call.result()[0] == 1:
            self._unsent[account] = self._unsent.get(account, 0) - 1
            self._wake.set()

    def _alone(self, account: str, limit: int | None) -> bool:
        held = self._own.get(account, 0)
        if limit is not None and held >= limit:
            return False
        self._own[account] = held + 1
        self._unsent[account] = self._unsent.get(account, 0) + 1
        self._wake.set()
        return True

    def _counts(self, account: str) -> str:
        return self.link.key("inflight", account)


def _alive(counts: dict[str, Any], leases: dict[str, Any], now: int, origin: str) -> int:
    """The sum of the other replicas' counts whose lease runs."""
    return sum(
        int(n) for replica, n in counts.items() if replica != origin and int(leases.get(replica, 0)) >= now
    )
