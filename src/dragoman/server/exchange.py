"""One request's record, filled in as it goes and written as the access log line."""

from __future__ import annotations

from dataclasses import dataclass, field
from time import perf_counter

from starlette.types import Scope

from dragoman.ir.usage import Usage


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
    # Why the pool chose `provider` (the account, by its label): "binding",
    # "strategy=fill-first", "failover from codex-alice because 429 ...".
    reason: str | None = None
    stream: bool = False
    # How a streamed answer ended: "ok", "upstream_error: <code>" or "client_left"; set
    # once, as it ends (the status was sent long before, and is 200 in each case).
    ended: str | None = None
    status: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    # Seconds from arrival to the response's start (a stream's first content).
    ttfb: float | None = None
    # The answer's usage, as the relay last saw it (a stream's: at its end).
    usage: Usage | None = None
    # Each failed upstream try: (account, the pool rule that classified it).
    upstream_errors: tuple[tuple[str, str], ...] = ()

    def fail(self, code: str) -> None:
        """Note that the stream ended in an upstream error of this code."""
        self.ended = upstream_error(code)

    def upstream_failed(self, account: str, rule: str) -> None:
        self.upstream_errors += ((account, rule),)

    def chose(self, account: str, upstream_model: str, reason: str) -> None:
        self.provider, self.upstream_model, self.reason = account, upstream_model, reason

    @property
    def latency_ms(self) -> float:
        return (perf_counter() - self.started) * 1000


def upstream_error(code: str) -> str:
    """How a stream that ended in an upstream error of this code is logged."""
    return f"upstream_error: {code}"


def exchange_of(scope: Scope) -> Exchange:
    """The record the middleware attached to this request."""
    exchange: Exchange = scope["state"]["exchange"]
    return exchange
