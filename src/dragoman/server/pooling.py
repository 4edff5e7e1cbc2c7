"""What the relay tells the account pool about one try on one account (`pools.Selector`).

    attempt = Attempt(selector, candidate, model, session)
    ...the upstream answers an error status...    attempt.failed(status, headers, body)
    ...it is unreachable, or times out...          attempt.unreachable()
    ...an error event before any content...        attempt.stream_failed(event)
    ...it answers...                               attempt.answered(headers)

Each failure is judged (`Selector.judge`): the account cools as its answer says, and
`attempt.fail_over` tells the relay whether another account may take the request.
Reading an answer's quota signals costs ~20 µs, so a success is only read when it
carries rate-limit headers (`RATE_HEADERS`); an error always is.
"""

from __future__ import annotations

from collections.abc import Mapping
from time import perf_counter

import orjson

from dragoman.ir.errors import RateLimited
from dragoman.pools import NoAccount
from dragoman.pools.members import Candidate
from dragoman.pools.outcomes import Decision, Outcome, stream_outcome
from dragoman.pools.reading import NOTHING, Reading
from dragoman.pools.selector import Selector
from dragoman.pools.signals import read
from dragoman.routing.registry import Route

# A header whose presence says the answer reports quota: what `pools.signals` reads.
RATE_HEADERS = (
    "anthropic-ratelimit-unified-status",
    "anthropic-ratelimit-requests-remaining",
    "anthropic-ratelimit-tokens-remaining",
    "x-codex-primary-used-percent",
    "x-codex-secondary-used-percent",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-remaining-tokens",
    "retry-after",
)


class Attempt:
    """One account tried for one request."""

    __slots__ = (
        "candidate",
        "decision",
        "error",
        "finished",
        "model",
        "selector",
        "session",
        "started",
        "status",
        "url",
    )

    def __init__(
        self, selector: Selector, candidate: Candidate[Route], model: str, session: str | None
    ) -> None:
        self.selector = selector
        self.candidate = candidate
        self.model = model
        self.session = session
        self.started = perf_counter()
        self.decision: Decision | None = None
        # For the request's trace: the URL called, the status it answered (None: no
        # answer), the error's code, when the answer (or the failure) came.
        self.url: str | None = None
        self.status: int | None = None
        self.error: str | None = None
        self.finished: float | None = None

    @property
    def fail_over(self) -> bool:
        """The failure judged is one another account may not share."""
        return self.decision is not None and self.decision.fail_over

    @property
    def because(self) -> str:
        return self.decision.reason or self.decision.rule if self.decision is not None else "failed"

    def failed(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        parsed = _parsed(body)
        self._judge(Outcome(self._kind, status, parsed), self._read(headers, parsed))

    def unreachable(self) -> None:
        self._judge(Outcome(self._kind, None), NOTHING)

    def stream_failed(self, event: object) -> None:
        """An error event inside a 200 stream, before any content: judged as the HTTP
        status it stands for (`pools.outcomes.stream_outcome`)."""
        self._judge(stream_outcome(self._kind, event), self._read({}, event))

    def answered(self, headers: Mapping[str, str]) -> None:
        """The upstream said yes: its windows kept (when it sent any), the account
        recovered, the session bound to it."""
        self.finished = perf_counter()
        self.status = 200
        ttfb = self.finished - self.started
        if any(name in headers for name in RATE_HEADERS):
            self._judge(Outcome(self._kind, 200), self._read(headers, None))
        self.selector.on_success(self.candidate, self.model, session=self.session, ttfb=ttfb)

    @property
    def _kind(self) -> str:
        return self.candidate.route.upstream.spec.kind

    def _read(self, headers: Mapping[str, str], body: object) -> Reading:
        upstream = self.candidate.route.upstream
        return read(upstream.spec.kind, headers, body, now=self.selector.clock(), dialect=upstream.dialect)

    def _judge(self, outcome: Outcome, reading: Reading) -> None:
        self.finished = perf_counter()
        if outcome.status is not None:
            self.status = outcome.status
        # A 401 reaching here outlived the fresh token `server.send` tried (or there is
        # no token to refresh: a key): the account is no good as it is.
        self.decision = self.selector.judge(
            self.candidate, self.model, outcome, reading, session=self.session, refreshed=True
        )


def refused(no_account: NoAccount) -> RateLimited:
    """The 429 a client gets when no account of the pool can take its request."""
    return RateLimited(no_account.message, retry_after=no_account.retry_after)


def _parsed(body: bytes) -> object:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return body.decode("utf-8", "replace")
