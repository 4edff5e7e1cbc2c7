"""What the relay tells the account pool about one try on one account (`pools.Selector`).

    attempt = Attempt(selector, candidate, model, session)
    ...the upstream answers an error status...    attempt.failed(status, headers, body)
    ...it is unreachable, or times out...          attempt.unreachable()
    ...an error event before any content...        attempt.stream_failed(event)
    ...it answers...                               attempt.answered(headers)
    ...its answer has an id...                     attempt.stored(answer_id)

Each failure is judged (`Selector.judge`): the account cools as its answer says,
`attempt.fail_over` tells the relay whether another account may take the request, and
`attempt.failure` keeps the rule that classified it (the Exchange's `upstream_errors`).
Reading an answer's quota signals costs ~20 µs, so a success is only read when it
carries one of the rate-limit headers its provider kind's readers read
(`pools.signals.telltales`); an error always is.

An `auth = "client"` upstream serves everyone's own login: a refusal of the login
(401, 403) or of its quota (429, and the usage windows of any answer) is that client's
alone, so it is passed back to the client without cooling the shared upstream (the
windows are kept per login: `server.client_logins`). Its other failures (5xx,
unreachable) are the upstream's, judged as any.
"""

from __future__ import annotations

from collections.abc import Mapping
from time import perf_counter

import orjson

from dragoman.ir.errors import RateLimited
from dragoman.ir.request import Request
from dragoman.pools import NoAccount
from dragoman.pools.members import Candidate
from dragoman.pools.outcomes import Decision, Outcome, stream_outcome
from dragoman.pools.reading import NOTHING, Reading
from dragoman.pools.selector import Selector
from dragoman.pools.signals import read, telltales
from dragoman.routing.registry import Route

RESPONSES = "openai_responses"
# What an `auth = "client"` upstream answers about the client's login, not about itself.
CLIENT_STATUSES = frozenset({401, 403, 429})


class Attempt:
    """One account tried for one request."""

    __slots__ = (
        "candidate",
        "decision",
        "error",
        "failure",
        "finished",
        "keeps",
        "model",
        "operation",
        "selector",
        "session",
        "started",
        "status",
        "url",
    )

    def __init__(
        self,
        selector: Selector,
        candidate: Candidate[Route],
        model: str,
        session: str | None,
        stores: bool = False,
        operation: str = "generate",
    ) -> None:
        self.selector = selector
        # What was asked ("generate", "count_tokens", "compact", "images"): pool rules
        # judge some failures by it (a count a server lacks cools nothing).
        self.operation = operation
        self.candidate = candidate
        self.model = model
        self.session = session
        self.started = perf_counter()
        self.decision: Decision | None = None
        # The upstream keeps the answer for a continuation to name (`stored_upstream`).
        self.keeps = stores and candidate.route.upstream.dialect == RESPONSES
        # For the request's trace: the URL called, the status it answered (None: no
        # answer), the error's code, when the answer (or the failure) came.
        self.url: str | None = None
        self.status: int | None = None
        self.error: str | None = None
        self.finished: float | None = None
        # The pool rule that judged this try a failure; None: it was not one.
        self.failure: str | None = None

    @property
    def fail_over(self) -> bool:
        """The failure judged is one another account may not share."""
        return self.decision is not None and self.decision.fail_over

    @property
    def because(self) -> str:
        return self.decision.reason or self.decision.rule if self.decision is not None else "failed"

    def failed(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        if status in CLIENT_STATUSES and self._client_auth:
            self.finished = perf_counter()
            return
        parsed = _parsed(body)
        self._failure(Outcome(self._kind, status, parsed, self.operation), self._read(headers, parsed))

    def unreachable(self) -> None:
        self._failure(Outcome(self._kind, None, operation=self.operation), NOTHING)

    def stream_failed(self, event: object) -> None:
        """An error event inside a 200 stream, before any content: judged as the HTTP
        status it stands for (`pools.outcomes.stream_outcome`)."""
        self._failure(stream_outcome(self._kind, event), self._read({}, event))

    def answered(self, headers: Mapping[str, str]) -> None:
        """The upstream said yes: its windows kept (when it sent any), the account
        recovered, the session bound to it."""
        self.finished = perf_counter()
        self.status = 200
        ttfb = self.finished - self.started
        upstream = self.candidate.route.upstream
        telling = () if upstream.client_auth else telltales(upstream.spec.kind, upstream.dialect)
        for name in telling:
            if name in headers:
                self._judge(Outcome(self._kind, 200), self._read(headers, None))
                break
        self.selector.on_success(self.candidate, self.model, session=self.session, ttfb=ttfb)

    def stored(self, answer_id: str | None) -> None:
        """The upstream's id of its answer: a later `previous_response_id` naming it
        goes back to this account, the only one that stored it."""
        if self.keeps and answer_id:
            self.selector.own(answer_id, self.candidate.account)

    @property
    def _client_auth(self) -> bool:
        return self.candidate.route.upstream.client_auth

    @property
    def _kind(self) -> str:
        return self.candidate.route.upstream.spec.kind

    def _read(self, headers: Mapping[str, str], body: object) -> Reading:
        upstream = self.candidate.route.upstream
        return read(upstream.spec.kind, headers, body, now=self.selector.clock(), dialect=upstream.dialect)

    def _failure(self, outcome: Outcome, reading: Reading) -> None:
        self._judge(outcome, reading)
        if self.decision is not None:
            self.failure = self.decision.rule

    def _judge(self, outcome: Outcome, reading: Reading) -> None:
        self.finished = perf_counter()
        if outcome.status is not None:
            self.status = outcome.status
        # A 401 reaching here outlived the fresh token `server.send` tried (or there is
        # no token to refresh: a key): the account is no good as it is.
        self.decision = self.selector.judge(
            self.candidate, self.model, outcome, reading, session=self.session, refreshed=True
        )


def stored_upstream(request: Request, pooled: bool) -> bool:
    """Whether a pool's Responses upstream stores this request's answer (a Responses
    client that did not say `store: false`), so a continuation can name it."""
    return pooled and request.source == RESPONSES and request.extras.get("store") is not False


def continued_at(selector: Selector, request: Request, pooled: bool) -> str | None:
    """The account a continuation must go to: the one that stored the answer it names."""
    previous = request.previous_response_id
    return selector.owner(previous) if pooled and previous is not None else None


def refused(no_account: NoAccount) -> RateLimited:
    """The 429 a client gets when no account of the pool can take its request."""
    return RateLimited(no_account.message, retry_after=no_account.retry_after)


def _parsed(body: bytes) -> object:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return body.decode("utf-8", "replace")
