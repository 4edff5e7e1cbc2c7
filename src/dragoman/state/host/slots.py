"""In-flight counts shared by the processes of one host: `<home>/state/inflight.bin`.

A table of counts, one row per process and one column per account. A process only
ever changes its own row, so `count` is a lock-free sum over the rows in use; the
`acquire` check (sum, compare, add one) runs under the file's lock, which makes it
atomic across processes. Each row records its owner's pid and start time: the rows of
a process that died (even by kill -9) are zeroed by whoever notices first, on a
refusal or by the periodic `reap`, so its counts never leak. Nothing here survives
the processes: after a restart every count is 0, and the first process to open the
file when no other lives forgets the accounts' names too, so the 1,024 columns hold
the accounts of one run, not of every run since the file was made.

    header 64 B | rows: 64 x (pid, start) | accounts: 1024 x digest | counts: int32 [account][row]
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from dragoman.state.host.region import DIGEST, Region, StateFull, alive, identity

ROWS = 64
KEYS = 1024
MAGIC = b"DRGINFL1"
ROWS_USED = 2  # int32 index of the header field: rows ever claimed (the sum's extent)
ROW_TABLE = 64
KEY_TABLE = ROW_TABLE + ROWS * 16
COUNTS = KEY_TABLE + KEYS * DIGEST
SIZE = COUNTS + KEYS * ROWS * 4
OWNERS = ROW_TABLE // 8  # int64 index of row 0's (pid, start)
# A refusal looks for dead processes' rows at most this often (they cost a /proc read each).
REAP_SECONDS = 0.5


class HostInFlight:
    def __init__(self, path: Path) -> None:
        self._region = Region(path, SIZE, MAGIC)
        self._pids = memoryview(self._region.map).cast("q")
        self._counts = memoryview(self._region.map).cast("i")
        self._columns: dict[str, int] = {}
        self._own: dict[str, int] = {}
        self._reaped_at = 0.0
        with self._region.locked():
            self.reap()
            if not self._rows_in_use():
                self._region.map[KEY_TABLE:SIZE] = bytes(SIZE - KEY_TABLE)  # names and counts
            self._row = self._claim()

    def count(self, account: str) -> int:
        column = self._columns.get(account)
        if column is None:
            # A read takes no column: an account no process has counted has none in flight.
            column = self._region.find(account, KEY_TABLE, KEYS, create=False)
            if column is None:
                return 0
        start = COUNTS // 4 + column * ROWS
        return sum(self._counts[start : start + self._counts[ROWS_USED]])

    async def acquire(self, account: str, limit: int | None) -> bool:
        column = self._column(account)
        if limit is None:
            # Nothing to check: our own row, which no other process writes, needs no
            # lock (an flock pair is most of an acquire's cost).
            self._counts[COUNTS // 4 + column * ROWS + self._row] += 1
        else:
            with self._region.locked():
                if not self._room(column, limit):
                    return False
                self._counts[COUNTS // 4 + column * ROWS + self._row] += 1
        self._own[account] = self._own.get(account, 0) + 1
        return True

    def release(self, account: str) -> None:
        held = self._own.get(account, 0)
        if held <= 0:
            return
        self._own[account] = held - 1
        # Our own row: no other process writes it, so no lock.
        self._counts[COUNTS // 4 + self._columns[account] * ROWS + self._row] -= 1

    def reap(self) -> int:
        """Zero the rows of processes that ended without giving them back (under the
        lock, or alone); how many."""
        reaped = 0
        for row in range(self._counts[ROWS_USED]):
            pid, started = self._pids[OWNERS + 2 * row], self._pids[OWNERS + 2 * row + 1]
            if pid and not alive(pid, started):
                self._free(row)
                reaped += 1
        return reaped

    def reap_locked(self) -> int:
        with self._region.locked():
            return self.reap()

    def close(self) -> None:
        with self._region.locked():
            self._free(self._row)
        for view in (self._pids, self._counts):
            view.release()
        self._region.close()

    def _room(self, column: int, limit: int) -> bool:
        start = COUNTS // 4 + column * ROWS
        if sum(self._counts[start : start + self._counts[ROWS_USED]]) < limit:
            return True
        now = time.monotonic()
        if now - self._reaped_at < REAP_SECONDS:
            return False
        self._reaped_at = now
        return self.reap() > 0 and sum(self._counts[start : start + self._counts[ROWS_USED]]) < limit

    def _column(self, account: str) -> int:
        """The account's column, given it the first time any process names it (the
        only time this takes the lock outside `acquire`)."""
        column = self._columns.get(account)
        if column is None:
            with self._region.locked():
                found = self._region.find(account, KEY_TABLE, KEYS, create=True)
            assert found is not None
            column = self._columns[account] = found
        return column

    def _rows_in_use(self) -> bool:
        return any(self._pids[OWNERS + 2 * row] for row in range(self._counts[ROWS_USED]))

    def _claim(self) -> int:
        pid = os.getpid()
        for row in range(ROWS):
            if self._pids[OWNERS + 2 * row] == 0:
                self._pids[OWNERS + 2 * row + 1] = identity(pid) or 0
                self._pids[OWNERS + 2 * row] = pid
                self._counts[ROWS_USED] = max(self._counts[ROWS_USED], row + 1)
                return row
        raise StateFull(f"{self._region.path}: {ROWS} processes share it already")

    def _free(self, row: int) -> None:
        for column in range(KEYS):
            self._counts[COUNTS // 4 + column * ROWS + row] = 0
        self._pids[OWNERS + 2 * row] = 0
        self._pids[OWNERS + 2 * row + 1] = 0
