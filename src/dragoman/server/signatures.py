"""One more try on the same account for a request whose reasoning signatures the
upstream refused.

Thinking goes only to the account that produced it (`ir.reasoning.keep_for`), yet an
upstream may still refuse a signature: one a client altered or kept too long, or one
of an account whose organisation changed. Anthropic answers 400 `invalid_request_error`
"messages.1.content.0: Invalid `signature` in `thinking` block"; Codex answers 400
`invalid_encrypted_content`. The failure table (`pools.rules`: `invalid_signature`,
`invalid_encrypted_content`) calls both the request's fault, so nothing cools and no
other account is tried: another would refuse the same signature. Nothing has reached
the client yet, so the relay sends the request once more to the same account without
its reasoning; the conversation keeps its text and calls and loses only the model's
earlier thinking. A second refusal goes to the client as it came.

The step runs only after such a refusal: a request that succeeds pays nothing.
"""

from __future__ import annotations

from dragoman.ir import Request
from dragoman.ir.reasoning import without_reasoning
from dragoman.server.pooling import Attempt

# The failure-table rules (`pools.rules.RULES`) that name a refused signature.
REFUSED_SIGNATURE = frozenset({"invalid_signature", "invalid_encrypted_content"})


def unsigned_retry(request: Request, attempt: Attempt) -> Request | None:
    """The request to send again, without its reasoning, when `attempt` failed on a
    signature; None when it failed for anything else or has no reasoning to leave out."""
    decision = attempt.decision
    if decision is None or decision.rule not in REFUSED_SIGNATURE:
        return None
    return without_reasoning(request)
