"""Cursor's answer stream: Connect frames (`connect.py`). Only the end-of-stream
trailer is read; the protobuf messages before it are not (`request.py` says why), so
no request is sent and this parser is reached by nothing but tests."""

from __future__ import annotations

from dragoman.ir.errors import UpstreamError
from dragoman.ir.events import Event
from dragoman.providers.cursor.connect import DEFAULT_LIMIT, Decoder, Frame
from dragoman.providers.cursor.error import from_trailer

__all__ = ["MEDIA_TYPE", "Parser", "decoder"]

MEDIA_TYPE = "application/connect+proto"


def decoder(limit: int | None = None) -> Decoder:
    return Decoder(limit or DEFAULT_LIMIT)


class Parser:
    def __init__(self, origin: str | None = None) -> None:
        self.origin = origin

    def feed(self, frame: Frame) -> list[Event]:
        if not frame.end:
            raise UpstreamError("Cursor's Agent API messages are not supported by dragoman yet")
        error = from_trailer(frame.trailer())
        if error is not None:
            raise error
        return []

    def close(self) -> list[Event]:
        return []
