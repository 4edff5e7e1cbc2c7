"""The live feed across the processes of one host, over Unix datagram sockets.

A process with subscribers listens on a socket named in `<home>/state/feed/` (the
name is the socket file itself, or on Linux a marker for an abstract socket when the
path would be too long for one). Publishing hands the record to this process's
subscribers at once and, when some other process listens, queues it encoded; a
background task sends the queue to each listener in datagrams of up to 60 kB, without
waiting: a listener whose buffer is full loses those records (counted in `dropped`),
the publisher never waits. With no one listening elsewhere, publishing costs nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
import socket
from pathlib import Path

import orjson

from dragoman.state.memory.feed import LocalFeed, LocalSubscription
from dragoman.state.protocols import FeedRecord

DATAGRAM = 60_000
OUTBOX = 10_000  # records waiting to be sent, at most
BATCH_SECONDS = 0.02
# sun_path holds 108 bytes; past this a Linux abstract address is used instead.
PATH_LIMIT = 100


class HostFeed:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._folder = folder
        self._local = LocalFeed()
        self._name = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._listener: socket.socket | None = None
        self._sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sender.setblocking(False)
        self._peers: list[str] = []
        self._outbox: list[bytes] = []
        self._queued = asyncio.Event()
        self.dropped = 0  # records another process's subscribers did not get

    @property
    def listening(self) -> bool:
        return bool(self._peers) or self._local.listening

    def publish(self, record: FeedRecord) -> None:
        self._local.publish(record)
        if not self._peers:
            return
        if len(self._outbox) >= OUTBOX:
            self.dropped += 1
            return
        try:
            encoded = orjson.dumps(record if isinstance(record, dict) else dict(record))
        except TypeError:  # not JSON: only this process's subscribers get it
            encoded = b""
        if not encoded or len(encoded) > DATAGRAM:
            self.dropped += 1
            return
        self._outbox.append(encoded)
        self._queued.set()

    def subscribe(self, backlog: int = 1000) -> LocalSubscription:
        subscription = self._local.subscribe(backlog)
        if self._listener is None:
            self._listen()
        return subscription

    async def run(self) -> None:
        """Send what is queued, a batch at a time, until cancelled."""
        while True:
            await self._queued.wait()
            await asyncio.sleep(BATCH_SECONDS)
            self._queued.clear()
            self.send()

    def scan(self) -> None:
        """Find the processes listening now; stop listening with no subscriber left."""
        try:
            names = os.listdir(self._folder)
        except FileNotFoundError:
            names = []
        self._peers = [name for name in names if name != self._name]
        if not self._peers:
            self._outbox.clear()
        if self._listener is not None and not self._local.listening:
            self._unlisten()

    def send(self) -> None:
        batches, self._outbox = _pack(self._outbox), []
        for peer in list(self._peers):
            for batch, count in batches:
                try:
                    self._sender.sendto(batch, _address(self._folder, peer))
                except BlockingIOError:
                    self.dropped += count  # that process reads too slowly
                except (ConnectionRefusedError, FileNotFoundError):
                    self._forget(peer)
                    break

    def close(self) -> None:
        self._local.close()
        self._unlisten()
        self._sender.close()

    def _listen(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop to read on: this process's records only
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.setblocking(False)
        address = _address(self._folder, self._name)
        listener.bind(address)
        if address.startswith("\0"):
            (self._folder / self._name).touch(mode=0o600)
        loop.add_reader(listener.fileno(), self._receive)
        self._listener = listener

    def _unlisten(self) -> None:
        if self._listener is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            asyncio.get_running_loop().remove_reader(self._listener.fileno())
        self._listener.close()
        self._listener = None
        with contextlib.suppress(FileNotFoundError):
            (self._folder / self._name).unlink()

    def _receive(self) -> None:
        assert self._listener is not None
        while True:
            try:
                datagram = self._listener.recv(DATAGRAM + 1)
            except OSError:  # nothing more to read now
                return
            for line in datagram.split(b"\n"):
                with contextlib.suppress(orjson.JSONDecodeError):
                    self._local.publish(orjson.loads(line))

    def _forget(self, peer: str) -> None:
        """A name no one listens on any more (its process died): removed."""
        self._peers.remove(peer)
        with contextlib.suppress(FileNotFoundError):
            (self._folder / peer).unlink()


def _pack(records: list[bytes]) -> list[tuple[bytes, int]]:
    """Records joined by newlines into datagrams (and how many each holds)."""
    batches: list[tuple[bytes, int]] = []
    current: list[bytes] = []
    size = 0
    for record in records:
        if size + len(record) + 1 > DATAGRAM:
            batches.append((b"\n".join(current), len(current)))
            current, size = [], 0
        current.append(record)
        size += len(record) + 1
    if current:
        batches.append((b"\n".join(current), len(current)))
    return batches


def _address(folder: Path, name: str) -> str:
    path = str(folder / name)
    if len(path.encode()) < PATH_LIMIT:
        return path
    digest = hashlib.blake2b(str(folder).encode(), digest_size=8).hexdigest()
    return f"\0dragoman-{digest}-{name}"
