"""Server-sent events: decode bytes into events, encode events into bytes.

The decoder follows the WHATWG line rules: lines end in CRLF, LF or CR; a blank line
dispatches the event; `data:` lines join with a newline; lines starting with `:` are
comments (keep-alives). It is incremental: feed it chunks as they arrive.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Event:
    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None


class Decoder:
    """Turns a byte stream into `Event`s, buffering partial lines between chunks."""

    __slots__ = ("_buffer", "_data", "_event", "_id", "_pending_cr", "_retry")

    def __init__(self) -> None:
        self._buffer = b""
        self._pending_cr = False
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[Event]:
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
            if line.startswith(b"data: "):
                # Nearly every line of a model's stream: taken without the general parse.
                self._data.append(line[6:].decode("utf-8", errors="replace"))
                continue
            event = self._line(line.decode("utf-8", errors="replace"))
            if event is not None:
                events.append(event)
        return events

    def flush(self) -> list[Event]:
        """Events left when the stream ends: a last event with no blank line after it."""
        events = self.feed(b"\n\n") if self._buffer or self._data else []
        self._buffer = b""
        return events

    def _line(self, line: str) -> Event | None:
        if not line:
            return self._dispatch()
        if line[0] == ":":
            return None
        name, _, value = line.partition(":")
        if value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> Event | None:
        if not self._data and self._event is None:
            return None
        event = Event(data="\n".join(self._data), event=self._event, id=self._id, retry=self._retry)
        self._data, self._event, self._retry = [], None, None
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
