"""Parallel tool calls drawn one after another in a Chat stream.

IR tool call deltas may interleave (an upstream streamed two calls at once), and the Chat
wire format could carry that by `index`. But OpenAI streams each call whole before the
next, and the official SDK's `chat.completions.stream()` helper relies on it: a fragment
of a new call marks the previous one done and its arguments get JSON-parsed. So the
chunks of a call that is not first in line are held until the calls before it end.
"""

from __future__ import annotations


class CallOrder:
    """Holds and releases rendered tool call chunks so calls reach the client in turn."""

    __slots__ = ("_current", "_ended", "_waiting")

    def __init__(self) -> None:
        self._current: int | None = None
        # Held chunks per IR index, in the order the calls started.
        self._waiting: dict[int, list[bytes]] = {}
        self._ended: set[int] = set()

    def start(self, index: int, chunk: bytes) -> bytes:
        if self._current is None:
            self._current = index
            return chunk
        self._waiting[index] = [chunk]
        return b""

    def add(self, index: int, chunk: bytes) -> bytes:
        if index == self._current:
            return chunk
        self._waiting.setdefault(index, []).append(chunk)
        return b""

    def end(self, index: int, chunk: bytes = b"") -> bytes:
        """The call's last chunk; releases the held calls next in line."""
        if index != self._current:
            self._waiting.setdefault(index, []).append(chunk)
            self._ended.add(index)
            return b""
        out = chunk
        self._current = None
        while self._waiting:
            following = next(iter(self._waiting))
            out += b"".join(self._waiting.pop(following))
            if following not in self._ended:
                self._current = following
                break
        return out

    def flush(self) -> bytes:
        """Everything still held, for the end of the stream."""
        out = b"".join(b"".join(chunks) for chunks in self._waiting.values())
        self._waiting.clear()
        self._current = None
        return out
