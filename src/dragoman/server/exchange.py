"""One request's record, filled in as it goes and written as the access log line; at
its end, the trace (`dragoman.observe.traces`) is built from it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from time import perf_counter
from typing import TYPE_CHECKING, Any

from starlette.types import Scope

from dragoman.ir.usage import Usage

if TYPE_CHECKING:
    from dragoman.observe.traces.bodies import Bodies
    from dragoman.policy.keys import LocalKey
    from dragoman.server.pooling import Attempt


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
    # A model request (the dialect endpoints, pass-through): the ones traced.
    traced: bool = False
    user_agent: str | None = None
    # The local key that sent it (`dragoman.policy.keys`), and its name for traces and
    # the ledger; None when none was needed.
    local_key: LocalKey | None = None
    key: str | None = None
    # Every account tried, in order; the usage the answer reported; when the client
    # got its first body byte (perf_counter): the traces' and the metrics' TTFB.
    attempts: list[Attempt] = field(default_factory=list)
    usage: Usage | None = None
    first_byte: float | None = None
    # The bodies kept for the trace, when `trace_bodies` asks for them.
    bodies: Bodies | None = None
    # Its estimated cost in US dollars, once its trace priced it (`observe.cost`).
    cost: float | None = None
    # The routing policy's decision (`dragoman.policy.Decision.trace`): rule, tier, scores.
    routing: dict[str, Any] | None = None
    # What the answer's last bytes must wait for: a stored response's write
    # (`responses.keeper.Keeper.written`), so that a crash never loses one a client was
    # told of. Awaited, then cleared, by whoever sends those bytes.
    durable: Callable[[], Awaitable[None]] | None = None

    async def settled(self) -> None:
        """Wait for what the answer's last bytes must wait for (`durable`), if anything."""
        durable, self.durable = self.durable, None
        if durable is not None:
            await durable()

    def fail(self, code: str) -> None:
        """Note that the stream ended in an upstream error of this code."""
        self.ended = upstream_error(code)

    def chose(self, account: str, upstream_model: str, reason: str) -> None:
        self.provider, self.upstream_model, self.reason = account, upstream_model, reason

    @property
    def upstream_errors(self) -> list[tuple[str, str]]:
        """Each failed upstream try: (account, the pool rule that classified it)."""
        return [
            (attempt.candidate.account, attempt.failure)
            for attempt in self.attempts
            if attempt.failure is not None
        ]

    @property
    def ttfb(self) -> float | None:
        """Seconds from arrival to the first body byte sent; None: none was."""
        return self.first_byte - self.started if self.first_byte is not None else None

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
