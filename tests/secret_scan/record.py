"""What the tests saw dragoman produce, kept per test until the scan reads it.

Texts are attributed to the test running when they arrived; background threads that
outlive a test (a server shutting down) may land on the next one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

SESSION = "<outside any test>"
# Enough of one answer or output to hold any error text; the tail keeps a stream's end.
HEAD = 1 << 20
TAIL = 64 << 10


@dataclass(frozen=True, slots=True)
class Seen:
    channel: str  # e.g. "log dragoman.relay", "http POST /v1/messages 502", "cli"
    text: str


class Recorder:
    def __init__(self) -> None:
        self.test = SESSION
        self._seen: list[Seen] = []
        self._lock = threading.Lock()

    def add(self, channel: str, text: str) -> None:
        if text:
            with self._lock:
                self._seen.append(Seen(channel, bounded(text)))

    def take(self) -> tuple[str, list[Seen]]:
        """(the test, everything seen since the last take), emptied."""
        with self._lock:
            seen, self._seen = self._seen, []
        return self.test, seen


class Buffer:
    """The bytes of one answer or output, kept bounded: its head and its tail."""

    def __init__(self) -> None:
        self.head = bytearray()
        self.tail = bytearray()

    def write(self, chunk: bytes) -> None:
        room = HEAD - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            del self.tail[:-TAIL]

    def text(self) -> str:
        return (bytes(self.head) + bytes(self.tail)).decode("utf-8", "replace")


def bounded(text: str) -> str:
    return text if len(text) <= HEAD + TAIL else text[:HEAD] + text[-TAIL:]


RECORDER = Recorder()
