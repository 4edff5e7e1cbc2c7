"""Cursor's Agent API only streams; and nothing is sent to it yet (`request.py`)."""

from __future__ import annotations

from typing import Any

from dragoman.ir.errors import UpstreamError
from dragoman.ir.response import Response


def parse(body: Any, *, origin: str | None = None) -> Response:
    raise UpstreamError("Cursor's Agent API is not supported by dragoman yet")
