"""What an upstream's answer does to the account that gave it: `classify` runs the rule
table (`pools.rules`) and turns the matching effect into a `Decision` the caller stores.

The caller reads every answer first (`pools.signals.read`) and passes the Reading in,
with the account's backoff level and the end of its current cooldown, so a burst of
429s already in flight when the first one lands escalates the ladder once, not once
per request. Errors inside a 200 stream before any content count the same as the HTTP
answer they stand for: `stream_outcome` maps the event to that status.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from dragoman.observe.redact import redact
from dragoman.pools.backoff import DEFAULT_POLICY, Jitter, Policy, jittered, ladder
from dragoman.pools.error_body import NO_FACTS, ErrorFacts, facts
from dragoman.pools.reading import Reading
from dragoman.pools.rules import RULES, Effect, Rule, Scope

Action = Literal["keep", "cool", "refresh", "unhealthy", "model_off", "pass"]
REASON_LIMIT = 300

# The HTTP status an error event inside a stream stands for (pools.md §3a, upstreams.md
# §1.4); the first code the event carries, in this order, decides.
STREAM_STATUS: Mapping[str, int] = {
    "usage_limit_reached": 429,
    "insufficient_quota": 429,
    "rate_limit_exceeded": 429,
    "rate_limit_error": 429,
    "overloaded_error": 529,
    "server_is_overloaded": 503,
    "service_unavailable_error": 503,
    "context_length_exceeded": 400,
    "invalid_request_error": 400,
    "authentication_error": 401,
    "invalid_api_key": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "model_not_found": 404,
    "timeout_error": 504,
    "api_error": 500,
    # Kiro's exception frames (providers/kiro/error.py).
    "throttlingexception": 429,
    "servicequotaexceededexception": 402,
    "validationexception": 400,
}
STREAM_DEFAULT = 502


@dataclass(frozen=True, slots=True)
class Outcome:
    """One answer from an upstream: the status (None: none came) and the error body."""

    kind: str
    status: int | None
    body: object = None  # parsed JSON, text or bytes of an error; a stream's error event
    operation: str = "generate"


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do to the account (or its family, or the model on it)."""

    action: Action
    scope: Scope
    rule: str
    reason: str = ""
    until: float | None = None  # the cooldown's end, epoch seconds
    family: str | None = None  # the family that cools, for scope "family"
    level: int = 0  # the backoff level to keep for the next failure

    @property
    def fail_over(self) -> bool:
        """The request may go to the next account in the pool."""
        return self.action in ("cool", "unhealthy", "model_off")


@dataclass(slots=True)
class _Case:
    """One answer on its way through an effect (not frozen: built per failure, and a
    frozen dataclass pays for every field it sets)."""

    rule: Rule
    reading: Reading
    outcome: Outcome
    error: ErrorFacts
    now: float
    level: int
    cooling_until: float | None
    refreshed: bool
    policy: Policy
    jitter: Jitter


def classify(
    outcome: Outcome,
    reading: Reading,
    *,
    now: float,
    level: int = 0,
    cooling_until: float | None = None,
    refreshed: bool = False,
    policy: Policy = DEFAULT_POLICY,
    jitter: Jitter = random.uniform,
    rules: tuple[Rule, ...] = RULES,
) -> Decision:
    """The Decision for one answer. `refreshed`: the credentials were refreshed for this
    request already, so another 401 means they are no good."""
    error = facts(outcome.body) if outcome.body is not None else NO_FACTS
    rule = next((rule for rule in rules if matches(rule, outcome, error)), None)
    if rule is None:
        return Decision("pass", "request", "unmatched", _reason(outcome, "unmatched", error), level=level)
    case = _Case(rule, reading, outcome, error, now, level, cooling_until, refreshed, policy, jitter)
    return EFFECTS[rule.effect](case)


def matches(rule: Rule, outcome: Outcome, error: ErrorFacts) -> bool:
    return (
        (not rule.statuses or outcome.status in rule.statuses)
        and (not rule.kinds or outcome.kind in rule.kinds)
        and (not rule.operations or outcome.operation in rule.operations)
        and (not rule.codes or not rule.codes.isdisjoint(error.codes))
        and (rule.text is None or rule.text.search(error.message) is not None)
    )


def stream_outcome(kind: str, event: object) -> Outcome:
    """The Outcome an error event inside a 200 stream stands for."""
    codes = facts(event).codes
    status = next((status for code, status in STREAM_STATUS.items() if code in codes), STREAM_DEFAULT)
    return Outcome(kind, status, event)


def _success(case: _Case) -> Decision:
    reading = case.reading
    if reading.exhausted and reading.reset_at is not None and reading.reset_at > case.now:
        return _cool_until_reset(case, "account", "a window is exhausted", level=0)
    return Decision("keep", "account", case.rule.name)


def _reset(case: _Case) -> Decision:
    reset_at = case.reading.reset_at
    if reset_at is not None and reset_at > case.now:
        return _cool_until_reset(case, case.rule.scope, _told(case), case.level)
    return _escalate(case)


def _cool_until_reset(case: _Case, scope: Scope, reason: str, level: int) -> Decision:
    family = case.reading.family
    until = jittered(case.reading.reset_at or case.now, case.policy, case.jitter, now=case.now)
    scope = "family" if family else scope
    return Decision("cool", scope, case.rule.name, reason, until, family, level)


def _escalate(case: _Case) -> Decision:
    rule = case.rule
    if case.cooling_until is not None and case.cooling_until > case.now:
        # Another request's failure opened this cooldown: this one rode the same wave.
        return Decision("cool", rule.scope, rule.name, _told(case), case.cooling_until, None, case.level)
    until = case.now + ladder(case.level, case.policy)
    return Decision("cool", rule.scope, rule.name, _told(case), until, None, case.level + 1)


def _transient(case: _Case) -> Decision:
    until = case.now + case.policy.transient
    return Decision("cool", case.rule.scope, case.rule.name, _told(case), until, level=case.level)


def _refresh(case: _Case) -> Decision:
    if case.refreshed:
        return _unhealthy(case)
    return Decision("refresh", "account", case.rule.name, _told(case), level=case.level)


def _unhealthy(case: _Case) -> Decision:
    return Decision("unhealthy", "account", case.rule.name, _told(case), level=case.level)


def _model_off(case: _Case) -> Decision:
    until = case.now + case.policy.model_off
    return Decision("model_off", "model", case.rule.name, _told(case), until, level=case.level)


def _request(case: _Case) -> Decision:
    return Decision("pass", "request", case.rule.name, _told(case), level=case.level)


EFFECTS: Mapping[Effect, Callable[[_Case], Decision]] = {
    "success": _success,
    "reset": _reset,
    "escalate": _escalate,
    "transient": _transient,
    "refresh": _refresh,
    "unhealthy": _unhealthy,
    "model_off": _model_off,
    "request": _request,
}


def _told(case: _Case) -> str:
    return _reason(case.outcome, case.rule.name, case.error)


def _reason(outcome: Outcome, name: str, error: ErrorFacts) -> str:
    """Status, rule and the upstream's own words, with anything key-shaped masked."""
    status = "no answer" if outcome.status is None else str(outcome.status)
    said = " ".join(error.message.split())[:REASON_LIMIT]
    return redact(f"{status} {name}: {said}" if said else f"{status} {name}")
