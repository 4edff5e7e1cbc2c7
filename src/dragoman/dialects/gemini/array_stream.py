"""streamGenerateContent without `alt=sse`: the answer as one JSON array, streamed.

Google's default (`alt=json`) is a JSON array of GenerateContentResponse objects, sent
element by element as they are generated: `[`, the first object, `,\r\n` before each
next one, `]` after the last. An error after the start is the array's last element.
The objects are the ones the SSE stream carries (`stream_render.Renderer`); only the
framing differs. The route serves it with `Content-Type: application/json`.
"""

from __future__ import annotations

from dragoman.dialects.gemini import stream, stream_render
from dragoman.ir.request import Request

CONTENT_TYPE = "application/json; charset=UTF-8"

# An upstream's Gemini stream is read the same way, whatever its framing.
Parser = stream.Parser


class Renderer(stream_render.Renderer):
    """IR events -> the JSON array a client that left out `alt=sse` receives."""

    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self._opened = False

    def keepalive(self) -> bytes:
        # Whitespace is valid anywhere between the array's tokens.
        return b"\n"

    def _frame(self, payload: bytes) -> bytes:
        head = b",\r\n" if self._opened else b"["
        self._opened = True
        return head + payload

    def _end(self) -> bytes:
        return b"]" if self._opened else b"[]"
