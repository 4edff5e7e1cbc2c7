"""One request's record, filled in as it goes and written as the access log line."""

from __future__ import annotations

from dataclasses import dataclass, field
from time import perf_counter

from starlette.types import Scope


@dataclass(slots=True)
class Exchange:
    request_id: str
    method: str
    path: str
    started: float = field(default_factory=perf_counter)
    dialect: str | None = None
    model: str | None = None
    provider: str | None = None
    upstream_model: str | None = None
    stream: bool = False
    status: int = 0
    bytes_in: int = 0
    bytes_out: int = 0

    @property
    def latency_ms(self) -> float:
        return (perf_counter() - self.started) * 1000


def exchange_of(scope: Scope) -> Exchange:
    """The record the middleware attached to this request."""
    exchange: Exchange = scope["state"]["exchange"]
    return exchange
