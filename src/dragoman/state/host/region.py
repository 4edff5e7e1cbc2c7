"""A memory-mapped file every process of the host maps, with one `flock` guarding its
check-and-change steps, and open addressing for the names stored in it.

Reading the map is reading memory (no system call); the lock costs two system calls
(about 2 µs) and is held for a few microseconds, never across an `await`. A process
that dies holding it releases it with its descriptor, so it blocks no one.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import mmap
import os
from pathlib import Path

DIGEST = 16
EMPTY = bytes(DIGEST)
_PROC = os.path.exists("/proc/self/stat")


class StateFull(RuntimeError):
    """A shared table has no room for one more name."""


class Region:
    """The file at `path`, `size` bytes, mapped; created zeroed (0600) with `magic` at
    its start. A file of another size or magic is refused: it is not ours to rewrite."""

    def __init__(self, path: Path, size: int, magic: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = path
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            with self.locked():
                self._prepare(size, magic)
            self.map = mmap.mmap(self.fd, size)
        except BaseException:
            os.close(self.fd)
            raise

    def _prepare(self, size: int, magic: bytes) -> None:
        found = os.fstat(self.fd).st_size
        if found == 0:
            os.ftruncate(self.fd, size)  # sparse: pages appear as they are written
            os.pwrite(self.fd, magic, 0)
        elif found != size or os.pread(self.fd, len(magic), 0) != magic:
            raise RuntimeError(f"{self.path} is not a dragoman state file of this version")

    def locked(self) -> Region:
        """`with region.locked():` holds the lock (a plain context manager: a generator
        one would cost more than the lock itself)."""
        return self

    def __enter__(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *exc_info: object) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)

    def find(self, name: str, table: int, slots: int, create: bool, stride: int = DIGEST) -> int | None:
        """The slot of `name` in the table at offset `table` of `slots` entries, each
        `stride` bytes starting with a name's digest; with `create` (under the lock) a
        free slot is taken for it. Without the lock a digest being written reads as
        neither: the name is then not found, yet. Slots are never given back."""
        digest = hashlib.blake2b(name.encode(), digest_size=DIGEST).digest()
        first = int.from_bytes(digest[:8], "little") % slots
        for probe in range(slots):
            slot = (first + probe) % slots
            offset = table + slot * stride
            held = self.map[offset : offset + DIGEST]
            if held == digest:
                return slot
            if held == EMPTY:
                if not create:
                    return None
                self.map[offset : offset + DIGEST] = digest
                return slot
        if not create:
            return None
        raise StateFull(f"{self.path} holds {slots} names, all taken")

    def close(self) -> None:
        with contextlib.suppress(BufferError):  # a view still refers to it: the collector closes it
            self.map.close()
        os.close(self.fd)


def identity(pid: int) -> int | None:
    """When process `pid` started (clock ticks since boot), 0 where /proc is missing;
    None when no such process lives (a zombie counts as dead)."""
    if not _PROC:
        return _signal_probe(pid)
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rpartition(b")")[2].split()
    except FileNotFoundError:
        return None
    return None if fields[0] in (b"Z", b"X") else int(fields[19])


def alive(pid: int, started: int) -> bool:
    """Whether `pid` is still the process that started at `started` (not a reuse)."""
    now = identity(pid)
    return now is not None and (started == 0 or now == started)


def _signal_probe(pid: int) -> int | None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # it lives, under another user
    return 0
