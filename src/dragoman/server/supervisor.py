"""`dragoman serve --workers N`: N worker processes on listening sockets bound here, once.

Each worker is a fresh interpreter (`python -m dragoman.server.worker`) that builds its
own gateway: nothing of this process, which has run an event loop and read the database
for the banner, crosses over but the settings and the sockets. Each worker has sockets
of its own on the shared address (SO_REUSEPORT), so the kernel spreads new connections
evenly: on one shared socket, whichever worker wakes first takes a burst of them. This
process keeps every socket open, so connections that arrive while a worker restarts
wait in its queue instead of being refused.

A worker that ends unasked is replaced. SIGINT or SIGTERM stops every worker
gracefully (in-flight requests get `shutdown_grace_seconds`); a second SIGINT makes
them drop what is still in flight.
"""

from __future__ import annotations

import contextlib
import logging
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

from dragoman.config import Settings
from dragoman.config.origin import ConfigOrigin
from dragoman.server.worker import encode

log = logging.getLogger("dragoman.workers")

POLL_SECONDS = 0.5
# Past the grace period, for the workers' own shutdown (pools, database) to finish.
STOP_MARGIN_SECONDS = 10.0
# A worker that keeps failing to start is retried after 1, 2, 4... seconds, up to this.
MAX_RETRY_SECONDS = 30.0


@dataclass(slots=True)
class Worker:
    process: subprocess.Popen[bytes]
    channel: socket.socket
    ready: bool = False
    closed: bool = False  # its end of the channel closed: it has ended or is ending


@dataclass(slots=True)
class Slot:
    """A worker's place: its sockets (one per bind address) and who serves them now."""

    sockets: list[socket.socket]
    worker: Worker | None = None
    served: bool = False  # one of its workers got ready once
    failures: int = 0  # starts in a row that ended before the worker was ready
    start_at: float = 0.0


class Supervisor:
    def __init__(
        self, settings: Settings, sockets: list[list[socket.socket]], origin: ConfigOrigin | None = None
    ) -> None:
        """`sockets`: for each worker, the sockets it serves; `origin`: where the
        settings came from, for each worker to watch the config file."""
        self.settings = settings
        self.origin = origin
        self.slots = [Slot(own) for own in sockets]
        self.stop_signal: int | None = None
        self.failed = False

    def run(self) -> bool:
        """Serve until SIGINT or SIGTERM. False when a worker could not start at all."""
        handlers = {stop: signal.signal(stop, self._on_signal) for stop in (signal.SIGINT, signal.SIGTERM)}
        try:
            while self.stop_signal is None and not self.failed:
                self._start_due()
                self._watch()
        finally:
            self._stop_all()
            for stop, handler in handlers.items():
                signal.signal(stop, handler)
        return not self.failed

    def _on_signal(self, signum: int, frame: object) -> None:
        if self.stop_signal is None:
            self.stop_signal = signum
        elif signum == signal.SIGINT:
            # Asked twice: the workers drop what is in flight (uvicorn's forced exit).
            self._signal_all(signal.SIGINT)

    def _start_due(self) -> None:
        now = time.monotonic()
        for slot in self.slots:
            if slot.worker is None and now >= slot.start_at:
                slot.worker = self._spawn(slot.sockets)

    def _spawn(self, sockets: list[socket.socket]) -> Worker:
        ours, theirs = socket.socketpair()
        fds = [sock.fileno() for sock in sockets]
        argv = [sys.executable, "-m", "dragoman.server.worker", str(theirs.fileno())]
        try:
            process = subprocess.Popen(argv, pass_fds=[theirs.fileno(), *fds], stdin=subprocess.DEVNULL)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        with contextlib.suppress(OSError):  # it died at once: `_watch` sees it end
            ours.sendall(encode(self.settings, fds, self.origin))
        return Worker(process, ours)

    def _watch(self) -> None:
        """Wait up to POLL_SECONDS for a worker to say it serves, or to end."""
        listening = {
            slot.worker.channel: slot for slot in self.slots if slot.worker and not slot.worker.closed
        }
        readable, _, _ = select.select(list(listening), [], [], POLL_SECONDS)
        for channel in readable:
            self._heard(listening[channel])
        for slot in self.slots:
            if slot.worker is not None and slot.worker.process.poll() is not None:
                self._ended(slot, slot.worker)

    def _heard(self, slot: Slot) -> None:
        worker = slot.worker
        assert worker is not None
        try:
            said = worker.channel.recv(16)
        except OSError:
            said = b""
        if not said:
            worker.closed = True
            return
        worker.ready, slot.served, slot.failures = True, True, 0
        log.info("worker %d serving", worker.process.pid)

    def _ended(self, slot: Slot, worker: Worker) -> None:
        slot.worker = None
        worker.channel.close()
        pid, how = worker.process.pid, _how_it_ended(worker.process.returncode)
        if self.stop_signal is not None:
            return
        if not slot.served:
            log.error("worker %d %s before it could serve: stopping", pid, how)
            self.failed = True
            return
        slot.failures = 0 if worker.ready else slot.failures + 1
        delay = min(MAX_RETRY_SECONDS, 2.0 ** (slot.failures - 1)) if slot.failures else 0.0
        slot.start_at = time.monotonic() + delay
        log.warning("worker %d %s; starting another%s", pid, how, f" in {delay:g} s" if delay else "")

    def _stop_all(self) -> None:
        # Once the workers close theirs, nothing listens: new connections are refused
        # rather than left waiting in a queue no one reads.
        for slot in self.slots:
            for sock in slot.sockets:
                sock.close()
        live = [slot.worker for slot in self.slots if slot.worker is not None]
        if not live:
            return
        grace = self.settings.shutdown_grace_seconds
        pids = ", ".join(str(worker.process.pid) for worker in live)
        log.info("stopping workers %s (in-flight requests have %g s to finish)", pids, grace)
        self._signal_all(signal.SIGTERM)
        deadline = time.monotonic() + grace + STOP_MARGIN_SECONDS
        for worker in live:
            try:
                worker.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("worker %d did not stop in time: killed", worker.process.pid)
                worker.process.kill()
                worker.process.wait()
            worker.channel.close()
        log.info("workers stopped")

    def _signal_all(self, signum: int) -> None:
        for slot in self.slots:
            if slot.worker is not None:
                slot.worker.process.send_signal(signum)  # a no-op for one already reaped


def _how_it_ended(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return "exited" if code == 0 else f"exited with code {code}"
