"""Server-sent events: decode bytes into events, encode events into bytes.

The decoder follows the WHATWG line rules: lines end in CRLF, LF or CR; a blank line
dispatches the event; `data:` lines join with a newline; lines starting with `:` are
comments (keep-alives); a byte order mark opening the stream is ignored. It is
incremental: feed it chunks as they arrive. Given a limit, it refuses an event (or a
line) that grows past it, as an upstream's stream must not fill memory with one event
that never ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class Event:
    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None


class Decoder:
    """Turns a byte stream into `Event`s, buffering partial lines between chunks.

    With `limit`, an event whose data (with its unfinished line) grows past `limit`
    bytes raises what `too_large()` returns, before more is buffered."""

    __slots__ = (
        "_at_start",
        "_buffer",
        "_data",
        "_event",
        "_id",
        "_limit",
        "_pending_cr",
        "_retry",
        "_size",
        "_too_large",
    )

    def __init__(self, limit: int | None = None, too_large: Callable[[], Exception] | None = None) -> None:
        self._buffer = b""
        self._at_start = True  # until the stream's first bytes show whether a BOM leads
        self._pending_cr = False
        self._limit, self._too_large = limit, too_large
        self._size = 0  # bytes of the data lines of the event being read
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[Event]:
        if not chunk:
            # Nothing to read, and a CR ending the last chunk still waits for its LF.
            return []
        if self._at_start:
            chunk = self._without_bom(chunk)
            if not chunk:
                return []
        if self._pending_cr and chunk.startswith(b"\n"):
            # The CR ending the previous chunk and this LF are one line break.
            chunk = chunk[1:]
        self._pending_cr = chunk.endswith(b"\r")
        buffer = self._buffer + chunk
        if b"\r" in buffer:
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = buffer.split(b"\n")
        self._buffer = lines.pop()
        events: list[Event] = []
        for line in lines:
            # A model's stream is nearly all `data: `, blank and `event: ` lines: taken
            # without the general parse.
            if line.startswith(b"data: "):
                self._data.append(line[6:].decode("utf-8", errors="replace"))
                self._size += len(line)
            elif not line:
                if self._data or self._event is not None:
                    events.append(self._dispatch())
            elif line.startswith(b"event: "):
                self._event = line[7:].decode("utf-8", errors="replace")
            else:
                self._line(line.decode("utf-8", errors="replace"))
        if self._limit is not None and self._size + len(self._buffer) > self._limit:
            raise self._too_large() if self._too_large else ValueError(f"an event over {self._limit} bytes")
        return events

    def _without_bom(self, chunk: bytes) -> bytes:
        """The stream's start without the one byte order mark WHATWG says to ignore,
        however the chunks cut it."""
        head = self._buffer + chunk
        if len(head) < len(BOM) and BOM.startswith(head):
            self._buffer = head
            return b""
        self._buffer, self._at_start = b"", False
        return head.removeprefix(BOM)

    def flush(self) -> list[Event]:
        """Events left when the stream ends: a last event with no blank line after it."""
        events = self.feed(b"\n\n") if self._buffer or self._data else []
        self._buffer = b""
        return events

    def _line(self, line: str) -> None:
        """A line that is not blank (those end an event: `feed`)."""
        if line[0] == ":":
            return
        name, _, value = line.partition(":")
        if value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
            # And the newline that joins it: endless empty `data:` lines fill memory too.
            self._size += len(value) + 1
        elif name == "event":
            self._event = value
        elif name == "id":
            self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)

    def _dispatch(self) -> Event:
        event = Event("\n".join(self._data), self._event, self._id, self._retry)
        self._data, self._event, self._retry, self._size = [], None, None, 0
        return event


def encode(data: bytes | str, event: str | None = None) -> bytes:
    """One SSE event. `data` must not contain a newline (JSON from orjson never does)."""
    if isinstance(data, str):
        data = data.encode()
    if event is None:
        return b"data: " + data + b"\n\n"
    return b"event: " + event.encode() + b"\ndata: " + data + b"\n\n"


def comment(text: str = "") -> bytes:
    """An SSE comment line: a keep-alive every client ignores."""
    return b": " + text.encode() + b"\n\n"
