"""The tracer: what happens to a request's trace as it ends, and after.

On the request path (`finish`, a few µs): the record is built from the Exchange and
priced (`observe.cost`), encoded as JSON once for the in-memory ring (`ring`) and the
list waiting for the database, and published on the live feed (`state.Feed`: a
summary, never bodies) when someone watches it. Nothing awaits, nothing touches a disk.

Off it (`run`, one background task per process): every `FLUSH_SECONDS`, or as soon
as `BATCH` records wait, the waiting records are written, in transactions of at most
`WRITE_MAX`, their usage added to the ledger; every `RETENTION_SECONDS` the traces
past `keep_days` or beyond `keep_max` are deleted (every `IDLE_RETENTION_SECONDS`
while nothing is written: an idle gateway lets its writer's process end). Under
`serve --workers` each process does this for its own requests, into the one database.
A database that fails costs the records waiting (logged once per failure streak),
never a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from dragoman.ir.usage import Usage
from dragoman.json_bytes import dumps_kept
from dragoman.observe.cost import LABELS, estimate
from dragoman.observe.traces.bodies import Bodies
from dragoman.observe.traces.outcome import Record, failed
from dragoman.observe.traces.record import record_of, summary_of
from dragoman.observe.traces.ring import Ring

if TYPE_CHECKING:
    from dragoman.config import Settings
    from dragoman.observe.traces.store import TraceStore
    from dragoman.providers.upstream import Upstream
    from dragoman.server.exchange import Exchange
    from dragoman.state.protocols import Feed

log = logging.getLogger("dragoman.traces")

FLUSH_SECONDS = 1.0
BATCH = 200
# Records waiting for a database that does not keep up, at most; beyond, dropped.
WAITING_MAX = 50_000
# Records written in one transaction, at most: what waited while a write was under way
# can be thousands. The writer's process once held a whole batch parsed (3,000 1.5 kB
# records: 52 MiB, against 25 at 500); it now reads a batch 50 records at a time, and a
# transaction this size still keeps a write's pipe payload and SQLite's WAL growth small.
WRITE_MAX = 500
RETENTION_SECONDS = 60.0
# Without writes no trace goes past `keep_max`; only age moves, and an hour late is the
# price of an idle gateway not waking its writer every minute.
IDLE_RETENTION_SECONDS = 3600.0


class Tracer:
    def __init__(
        self,
        settings: Settings,
        feed: Feed | None,
        upstream_of: Callable[[str | None], Upstream | None],
    ) -> None:
        config = settings.traces
        self.ring = Ring(config.ring)
        # The database's URL while traces are kept there; its store opens (and
        # SQLAlchemy loads) with the first write, not with the server.
        self.url = settings.effective_database_url if config.database else None
        self._database = settings.database  # its pool's sizes and connect timeout
        self._store: TraceStore | None = None
        self.dropped = 0  # records the database never got (it lagged, or failed)
        self._bodies = settings.trace_bodies
        self._body_limit = config.body_max_bytes
        self._keep = (config.keep_days * 86400, config.keep_max)
        self._feed = feed
        self._upstream_of = upstream_of
        self._waiting: list[bytes] = []  # records as JSON, for the database
        self._full = asyncio.Event()
        self._writing = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._failing = False
        self._wrote = False  # since the last retention
        self._stopping = False

    @property
    def failing(self) -> bool:
        """The last write to the database failed (the ledger is not being kept)."""
        return self._failing

    def bodies(self) -> Bodies | None:
        """What a new request keeps of its bodies; None (the default) for nothing."""
        return None if self._bodies == "off" else Bodies(self._bodies, self._body_limit)

    def finish(self, exchange: Exchange) -> None:
        """The request has ended: its trace kept, queued for the database and published.
        A fault here is logged and costs the trace, never the request's answer."""
        try:
            self._finish(exchange)
        except Exception:
            log.exception("request %s not traced", exchange.request_id)

    def _finish(self, exchange: Exchange) -> None:
        upstream = self._upstream_of(exchange.provider)
        record = record_of(exchange, upstream.spec.kind if upstream is not None else None)
        price(record, exchange.usage, subscription=upstream is not None and upstream.account_id is not None)
        exchange.cost = record.get("cost")  # the metrics count it too, without pricing again
        if exchange.bodies is not None:
            record["bodies"] = exchange.bodies.kept(failed(record))
        encoded = dumps_kept(record)  # kept a while: in the ring, in the batch waiting
        self.ring.append(record["id"], record["time"], encoded)
        if self.url is not None:
            if len(self._waiting) >= WAITING_MAX:
                self.dropped += 1
            else:
                self._waiting.append(encoded)
                if len(self._waiting) >= BATCH:
                    self._full.set()
        if self._feed is not None and self._feed.listening:
            self._feed.publish(summary_of(record))

    def find(self, trace_id: str) -> Record | None:
        """A trace still in this process's ring."""
        return self.ring.find(trace_id)

    def store(self) -> TraceStore | None:
        """Where traces are kept, opened on first use; None: in memory only."""
        if self._store is None and self.url is not None:
            from dragoman.observe.traces.store import TraceStore

            self._store = TraceStore(self.url, self._database)
        return self._store

    def start(self) -> None:
        if self.url is not None and self._task is None:
            self._task = asyncio.create_task(self._run(), name="dragoman traces")

    async def stop(self) -> None:
        """Write what waits, then close the database."""
        if self._task is not None:
            # Told, not cancelled: a cancel that comes as the wait ends is lost in
            # Python 3.11's wait_for, and the loop would go on.
            self._stopping = True
            self._full.set()
            await self._task
            self._task = None
        await self.flush()
        if self._store is not None:
            await self._store.close()

    async def flush(self) -> None:
        """Write the waiting records now (a listing wants them; the server stops). One
        write at a time: when this returns, every record finished before is stored."""
        async with self._writing:
            batch, self._waiting = self._waiting, []
            self._full.clear()
            store = self.store() if batch else None
            if store is not None:
                self._wrote = True
                for start in range(0, len(batch), WRITE_MAX):
                    await self._write(store, batch[start : start + WRITE_MAX])

    async def _write(self, store: TraceStore, batch: list[bytes]) -> None:
        try:
            await store.write_encoded(batch)
            self._failing = False
        except Exception as error:  # the database's own failures, whatever the driver
            self.dropped += len(batch)
            if not self._failing:
                log.warning("traces not stored (%d dropped): %s", len(batch), error)
            self._failing = True

    async def _run(self) -> None:
        retained = -math.inf
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._full.wait(), FLUSH_SECONDS)
            await self.flush()
            every = RETENTION_SECONDS if self._wrote else IDLE_RETENTION_SECONDS
            if time.monotonic() >= retained + every:
                retained, self._wrote = time.monotonic(), False
                await self._retain()

    async def _retain(self) -> None:
        if self._store is None:
            return  # nothing written yet, by this process
        max_age, max_count = self._keep
        try:
            await self._store.retain(time.time() - max_age, max_count)
        except Exception as error:
            log.warning("old traces not purged: %s", error)


def price(record: Record, usage: Usage | None, *, subscription: bool) -> None:
    """The request's cost at the price table's rates (`observe.cost`), in US dollars:
    `cost` the total, `cost_detail` by kind of token; for a subscription account an
    estimate (`cost_estimate`), its real price being its plan. None: no usage, or no
    price for the model."""
    model = record["upstream_model"] or record["model"]
    cost = estimate(model, usage, subscription=subscription) if usage is not None and model else None
    if cost is None:
        return
    if record["routing"] is not None:
        _price_baseline(record, usage, subscription)
    record["cost"] = cost.total
    record["cost_estimate"] = subscription
    record["cost_detail"] = {
        "priced_as": cost.model,
        "input": cost.input,
        "cache_read": cost.cache_read,
        "cache_write": cost.cache_write,
        "output": cost.output,
        "reasoning": cost.reasoning,
        "label": LABELS[subscription],
    }


def _price_baseline(record: Record, usage: Usage | None, subscription: bool) -> None:
    """A routed request's cost had it run on its baseline model (`dragoman.policy`), for
    `dragoman usage --savings`; None when that model has no price."""
    routing = record.get("routing")
    baseline = routing.get("baseline") if routing else None
    if routing is None or baseline is None or usage is None:
        return
    cost = estimate(baseline, usage, subscription=subscription)
    routing["baseline_cost"] = cost.total if cost is not None else None
