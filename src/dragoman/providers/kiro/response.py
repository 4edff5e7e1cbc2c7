"""Kiro answers only in its event stream (`stream.py`): the relay folds that for a
client that did not stream. A whole JSON answer never comes."""

from __future__ import annotations

from typing import Any

from dragoman.ir.errors import UpstreamError
from dragoman.ir.response import Response


def parse(body: Any, *, origin: str | None = None) -> Response:
    """Reached only by an answer that is neither an error nor the event stream."""
    raise UpstreamError("Kiro answered without its event stream")
