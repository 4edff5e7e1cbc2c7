"""Runtime state behind one interface: cooldowns, usage windows, session bindings,
in-flight counts, rate and budget counters, the live trace feed, and the usage windows
of the logins clients bring (`auth = "client"`).

    state = open_state(settings, workers=settings.workers > 1)    # bundle.py
    await state.start()  ...  state.health.blocking(label, family)  ...  await state.stop()

One Protocol per kind (protocols.py), values as frozen records (records.py), three
backends chosen by name (bundle.BACKENDS): `memory` (dicts, one process, nothing kept),
`host` (every process on one host, through files in `<home>/state/`) and `redis`
(replicas on many hosts, through one Redis: `redis_url`).

## The rule that keeps requests cheap

Reads that choose an account (is it cooling? its windows? a binding? in flight?) are
plain methods answered from this process's memory: no system call, no await. Writes
(a cooldown, a window, a binding) change that memory at once and are shared in the
background. Only what must be atomic across processes is a call of its own and
`async`: taking an in-flight slot under `max_concurrent`, and reserving against a
limit. The cooldown rule (cooling.py) and the counting over periods (tally.py) are
pure functions every backend shares, so the backends differ only in storage.

## The host backend: which mechanism, and why

- Cooldowns, windows, bindings, client logins: each process mirrors them in dicts; changes are
  journalled in SQLite (WAL) by a background task, off the event loop, and every
  process pulls the others' changes every 0.2 s (at once after a cooldown of its own).
  A sequence number per write means a reader misses nothing; the journal is what a
  restart loads.
- In-flight slots: a memory-mapped table of int32 counts, one row per process. Reading
  sums the rows (memory reads); `acquire` checks and adds under an `flock` on the file.
  Rows name their process (pid and start time): those of a dead process, even one
  killed with -9, are zeroed on the next refusal or within a second.
- Counters: 1 KiB entries in another memory-mapped file, reserve/settle/release under
  its `flock`. The file is the store, so spend survives restarts and kills.
- The feed: Unix datagram sockets, only towards processes that have subscribers.

SQLite's `BEGIN IMMEDIATE` read-modify-write was measured at 20-48 µs here: two per
reservation would miss the 50 µs target alone; an `flock` pair costs 0.6-1.8 µs. A
per-process file that readers sum, without the lock, could count but never refuse.

## The redis backend (redis/)

- Cooldowns, windows, bindings, last errors, client logins: each replica mirrors them in the same
  dicts; a change is written by a background task as a compare-and-set script per key
  that also PUBLISHes it, and every replica's subscriber applies the others' at once.
  Two replicas changing one key together are merged (redis/records.py), never lost.
- In-flight slots: a hash of per-replica counts per account, checked and taken by one
  Lua script that ignores (and deletes) the counts of replicas whose lease ran out.
- Counters: a hash of the tally cells per counter; reserve is one Lua script, settle and
  release are batched off the request path (or ride on the counter's next reservation).
- The feed: pub/sub, published only while another replica has subscribers.
- Locks (a login's refresh): SET NX PX with a token, renewed while held, released by a
  compare-and-delete; each holding gets a fencing token (INCR) that the guarded write
  carries, and the database refuses a write older than the stored one (redis/locks.py).
- Redis gone: every part falls back to this replica alone until the watcher has
  reconnected and re-read Redis (what it then does is in redis/__init__.py).

A request waits on Redis for what must be atomic and nothing else: a slot under a limit
and a reservation, one round trip each (a redis-py EVALSHA, with hiredis: 0.09-0.12 ms on
loopback here at load 2); a request with neither waits on it not at all.

## Measured (tests/state/timings.py; best of 5 runs, a shared 2-core machine at load 5)

    per operation, µs                        memory       host
    choose among 8 accounts (every read)      4-8         5-11
    in-flight acquire + release               0.3         1.9-3.6
    reserve + settle, calendar day            3-6         6-11
    reserve + settle, rolling minute          6-13        9-17
    strike (a 429 burst, window reused)       0.35        0.35
    bind (a renewal)                          2           2-3.4
    feed publish, no subscriber               0.13        0.16

The redis backend at load 2-2.5 (the Redis on loopback, on the same two cores): a whole
request (choose, a slot under a limit, reserve + settle) 0.37-0.42 ms, 0.24 ms of it this
process's CPU; in-flight acquire + release 0.12-0.15 ms; reserve + settle 0.14-0.18 ms
(rolling minute 0.22); reads, strikes and binds as in memory. At load 5-10 every round
trip costs two to three times as much. Between two replicas a cooldown or binding is
seen within a few ms (the tests hold it to 100 ms).

Between two host processes: a cooldown is seen after 150 ms (median; at most
~210 ms), a feed record after ~20 ms.

## What survives a restart

`host`: cooldowns (and the backoff level they remember), usage windows, counters, and
bindings while their time to live runs. Not in-flight counts (their processes have
ended) nor feed records. A process killed with -9 can lose the window observations and
bindings of its last 0.2 s (the next answer re-reports windows), never a counter, and
its own cooldowns only in the few milliseconds before the journal write it triggers.
A reservation held by a killed process stays counted: the safe side of a budget.
`redis`: everything Redis keeps, for any replica's restart; a restart of Redis itself
keeps what Redis's own persistence keeps (the replicas write their mirrored state back
to an empty one, not counters). `memory`: nothing.
"""

from __future__ import annotations

from dragoman.state.bundle import BACKENDS, State, open_state
from dragoman.state.locking import LockTimeout
from dragoman.state.protocols import (
    Bindings,
    ClientLogins,
    Counters,
    Feed,
    FeedRecord,
    Health,
    InFlight,
    Lease,
    Locks,
    Subscription,
    Windows,
)
from dragoman.state.records import (
    UNTIL_RESET,
    WHOLE_ACCOUNT,
    Ask,
    Binding,
    ClientLogin,
    Cooldown,
    CooldownKind,
    LastError,
    Period,
    Refused,
    Reservation,
    Window,
)

__all__ = [
    "BACKENDS",
    "UNTIL_RESET",
    "WHOLE_ACCOUNT",
    "Ask",
    "Binding",
    "Bindings",
    "ClientLogin",
    "ClientLogins",
    "Cooldown",
    "CooldownKind",
    "Counters",
    "Feed",
    "FeedRecord",
    "Health",
    "InFlight",
    "LastError",
    "Lease",
    "LockTimeout",
    "Locks",
    "Period",
    "Refused",
    "Reservation",
    "State",
    "Subscription",
    "Window",
    "Windows",
    "open_state",
]
