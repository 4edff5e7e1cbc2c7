"""Rate and budget counters in Redis, shared by every replica and kept across restarts
of any of them (they live in Redis, not in a replica).

A counter (a key and its period) is a hash `<prefix>counter:<period>:<key>` of the
BUCKETS cells of `dragoman.state.tally`, field = cell, value = "<bucket id> <amount>".
Where `now` falls (the bucket, the oldest bucket still counted) is computed here with
`tally`, as in the other backends; the scripts only add up, compare and change, so
that reserve, settle and release are each one atomic step: N replicas reserving at
once never overshoot a limit. The hash expires a day after its calendar period ends,
or two windows after its last rolling reservation.

Settling and releasing are counted at once in this replica and sent in the background
(one pipeline for all that came meanwhile), or with the counter's next reservation if it
comes first: a request waits on Redis once for its reservation, never for its settlement.
Until a settlement arrives the reserved amount stays counted: the safe side.

While Redis is unreachable each replica counts in its own memory (limits then hold per
replica); what it counted meanwhile is not added to Redis. Settlements that could not
be sent are sent on reconnect.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from dragoman.state import tally
from dragoman.state.memory.counts import MemoryCounters
from dragoman.state.records import Ask, Period, Refused, Reservation
from dragoman.state.redis.link import BATCH_SECONDS, DOWN, Link

# Settlements, as (cell, bucket, change) triples from ARGV[first] on: a change applies only
# while its bucket is still in the cell.
ADJUSTING = """
local function adjust(first)
  for i = first, #ARGV, 3 do
    local cell = redis.call('HGET', KEYS[1], ARGV[i])
    if cell then
      local id, amount = string.match(cell, '(%S+) (%S+)')
      if id == ARGV[i + 1] then
        amount = math.max(0, tonumber(amount) + tonumber(ARGV[i + 2]))
        redis.call('HSET', KEYS[1], ARGV[i], id .. ' ' .. string.format('%.17g', amount))
      end
    end
  end
end
"""

# KEYS: the counter. ARGV: bucket, oldest bucket counted, cell, amount, limit, ttl ms,
# "1" for a rolling window, then settlements. Answers {1} when taken, else
# {0, held, cell, id amount, ...}.
RESERVE = (
    ADJUSTING
    + """
adjust(8)
local bucket, oldest = tonumber(ARGV[1]), tonumber(ARGV[2])
local rolling = ARGV[7] == '1'
local cells = redis.call('HGETALL', KEYS[1])
local held, found = 0, nil
for i = 1, #cells, 2 do
  local id, amount = string.match(cells[i + 1], '(%S+) (%S+)')
  id = tonumber(id)
  if (rolling and id >= oldest) or id == bucket then held = held + tonumber(amount) end
  if cells[i] == ARGV[3] and id == bucket then found = tonumber(amount) end
end
if held + tonumber(ARGV[4]) > tonumber(ARGV[5]) + 1e-9 then
  local answer = {0, string.format('%.17g', held)}
  for i = 1, #cells do answer[#answer + 1] = cells[i] end
  return answer
end
local amount = (found or 0) + tonumber(ARGV[4])
redis.call('HSET', KEYS[1], ARGV[3], ARGV[1] .. ' ' .. string.format('%.17g', amount))
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return {1}
"""
)

# KEYS: the counter. ARGV: settlements.
ADJUST = (
    ADJUSTING
    + """
adjust(1)
return 1
"""
)


class RedisCounters:
    def __init__(self, link: Link, clock: Callable[[], float]) -> None:
        self.link = link
        self._clock = clock
        self._spans = tally.Spans()
        self._open: set[int] = set()
        self._ids = itertools.count(1)
        self._alone = MemoryCounters(clock)  # while Redis is unreachable; its ids negated here
        # Settlements and releases not yet sent, per counter: (cell, bucket, change).
        self._unsent: dict[str, list[tuple[int, int, float]]] = {}
        self._wake = asyncio.Event()
        self._reserve = link.script(RESERVE)
        self._adjust = link.script(ADJUST)

    async def reserve(self, key: str, amount: float, limit: float, period: Period) -> Reservation | Refused:
        if not self.link.up:
            return await self._reserve_alone(key, amount, limit, period)
        now = self._clock()
        span = self._spans.at(period, now)
        name = self._name(key, period)
        # This counter's settlements ride along, so that what they gave back is free now.
        riders = self._unsent.pop(name, [])
        args: list[str | int] = [
            *(span.bucket, span.oldest, span.slot, repr(amount), repr(limit)),
            *(_ttl_ms(period, span, now), int(bool(span.width))),
            *(str(part) for rider in riders for part in rider),
        ]
        try:
            answer = await self.link.shielded(self._reserve(keys=[name], args=args))
        except DOWN as error:
            self.link.down(error)
            self._unsent.setdefault(name, []).extend(riders)
            return await self._reserve_alone(key, amount, limit, period)
        if answer[0] != 1:
            held = float(answer[1])
            ids, amounts = _cells(answer[2:])
            return Refused(key, held, limit, tally.frees_at(ids, amounts, span, held, amount, limit))
        reservation = Reservation(next(self._ids), key, period, amount, span.bucket)
        self._open.add(reservation.id)
        return reservation

    async def settle(self, reservation: Reservation, actual: float) -> None:
        await self._close(reservation, actual, actual - reservation.amount)

    async def release(self, reservation: Reservation) -> None:
        await self._close(reservation, None, -reservation.amount)

    async def reserve_all(self, asks: Sequence[Ask]) -> list[Reservation] | Refused:
        """One script per ask, in order; a refusal gives back what the earlier ones held.
        Each ask is atomic, so limits are never overshot; between two asks another
        request may take what this one then gives back (a refusal that a single script
        over every ask would have avoided)."""
        held: list[Reservation] = []
        for ask in asks:
            found = await self.reserve(ask.key, ask.amount, ask.limit, ask.period)
            if isinstance(found, Refused):
                for reservation in held:
                    await self.release(reservation)
                return found
            held.append(found)
        return held

    async def settle_all(self, settled: Sequence[tuple[Reservation, float]]) -> None:
        for reservation, actual in settled:
            await self.settle(reservation, actual)

    async def used(self, key: str, period: Period) -> float:
        span = self._spans.at(period, self._clock())
        await self.flush()
        if not self.link.up:
            return await self._alone.used(key, period)
        try:
            held = await self.link.shielded(self.link.client.hgetall(self._name(key, period)))
        except DOWN as error:
            self.link.down(error)
            return await self._alone.used(key, period)
        ids, amounts = _cells([part for cell in held.items() for part in cell])
        return tally.total(ids, amounts, span)

    async def run(self) -> None:
        """Send settlements as they come, until cancelled."""
        while True:
            await self._wake.wait()
            await asyncio.sleep(BATCH_SECONDS)
            self._wake.clear()
            await self.flush()

    async def flush(self) -> None:
        """Send the settlements not yet sent (kept for the reconnect if Redis is gone)."""
        if not self._unsent or not self.link.up:
            return
        unsent, self._unsent = self._unsent, {}
        pipe = self.link.client.pipeline(transaction=False)
        for name, adjustments in unsent.items():
            self.link.queue(
                pipe, self._adjust, [name], [str(part) for rider in adjustments for part in rider]
            )
        try:
            await self.link.shielded(pipe.execute())
        except DOWN as error:
            self.link.down(error)
            for name, adjustments in unsent.items():
                self._unsent.setdefault(name, []).extend(adjustments)

    async def _close(self, reservation: Reservation, actual: float | None, change: float) -> None:
        """Settle or release: counted at once here, sent in the background (the next
        reservation of the counter takes it along if it comes first)."""
        if reservation.id < 0:
            alone = replace(reservation, id=-reservation.id)
            await (self._alone.settle(alone, actual) if actual is not None else self._alone.release(alone))
            return
        if reservation.id not in self._open:
            return
        self._open.discard(reservation.id)
        if not change:  # settled to what it held (a request count): nothing to send
            return
        cell = tally.slot_of(reservation.period, reservation.bucket)
        name = self._name(reservation.key, reservation.period)
        self._unsent.setdefault(name, []).append((cell, reservation.bucket, change))
        self._wake.set()

    async def _reserve_alone(
        self, key: str, amount: float, limit: float, period: Period
    ) -> Reservation | Refused:
        result = await self._alone.reserve(key, amount, limit, period)
        return replace(result, id=-result.id) if isinstance(result, Reservation) else result

    def _name(self, key: str, period: Period) -> str:
        return self.link.key("counter", period.token, key)


def _ttl_ms(period: Period, span: tally.Span, now: float) -> int:
    if span.width:
        return int(2 * period.seconds * 1000) + 1000
    return int((span.ends - now + 86_400) * 1000)


def _cells(flat: list[Any]) -> tuple[list[int], list[float]]:
    """The cells of a counter from its hash's fields and values, flattened."""
    ids, amounts = [0] * tally.BUCKETS, [0.0] * tally.BUCKETS
    for first in range(0, len(flat), 2):
        cell = int(flat[first])
        bucket, amount = str(flat[first + 1]).split()
        ids[cell], amounts[cell] = int(bucket), float(amount)
    return ids, amounts
