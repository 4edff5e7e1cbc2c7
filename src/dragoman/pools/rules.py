"""The failure table: which answer does what to the account that gave it.

Rules are data, read top to bottom; the first that matches decides. A rule matches when
every condition it sets holds (an empty condition holds always):

    statuses     HTTP status; None in the set means no answer (timeout, reset, refused)
    kinds        provider kinds it applies to
    codes        any of these among the error's type / code / status / reason (lower case)
    text         a pattern found in the error message
    operations   "generate" (the default), "count_tokens", "compact", ...

Effects (`pools.outcomes` carries them out):

    reset       cool until the reset the answer names (+ jitter), else escalate
    escalate    cool on the exponential ladder, one step further
    transient   cool for the short transient time
    refresh     refresh the credentials and retry once; unhealthy if that fails too
    unhealthy   out until the user resets it, with the upstream's reason
    model_off   this model off on this account for a long while
    request     the request itself is wrong: the error goes to the client, nothing cools
    success     an answer: forget the ladder, unless a window says it is exhausted

Scope says what cools: the account, the model family the answer names, or only the
requested model. A `reset` whose answer confines the block to one family cools that
family whatever the rule's scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Effect = Literal["reset", "escalate", "transient", "refresh", "unhealthy", "model_off", "request", "success"]
Scope = Literal["account", "family", "model", "request"]

NO_ANSWER = None
SUCCESS: frozenset[int | None] = frozenset(range(200, 400))
SERVER: frozenset[int | None] = frozenset([*range(500, 600), NO_ANSWER, 408])
CLIENT: frozenset[int | None] = frozenset(range(400, 500))
# Kinds whose rate limits are counted per model, so a 429 cools only the model asked for.
PER_MODEL_LIMITS = "anthropic openai xai gemini gemini_cli"


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    effect: Effect
    scope: Scope = "account"
    statuses: frozenset[int | None] = frozenset()
    kinds: frozenset[str] = frozenset()
    codes: frozenset[str] = frozenset()
    text: re.Pattern[str] | None = None
    operations: frozenset[str] = frozenset()


def rule(
    name: str,
    effect: Effect,
    scope: Scope = "account",
    *,
    status: Iterable[int | None] = (),
    codes: str = "",
    text: str = "",
    kinds: str = "",
    operations: str = "",
) -> Rule:
    """A Rule from short spellings: space-separated codes, kinds and operations."""
    return Rule(
        name,
        effect,
        scope,
        frozenset(status),
        frozenset(kinds.split()),
        frozenset(codes.split()),
        re.compile(text, re.IGNORECASE) if text else None,
        frozenset(operations.split()),
    )


NOT_THERE = (404, 405, 501)
# Anthropic's refusals of a thinking block's `signature`, or of a redacted one's `data`.
INVALID_SIGNATURE = r"invalid .{0,20}signature|invalid `data` in `redacted_thinking`"
# Anthropic "prompt is too long: N tokens > M maximum", OpenAI "maximum context length is
# N tokens" / "exceeds the context window", Gemini "The input token count (N) exceeds the
# maximum number of tokens allowed (M)".
TOO_LONG = (
    r"prompt is too long|context (?:length|window)|maximum context|too many (?:input )?tokens"
    r"|input token count .{0,40}exceeds the maximum"
)

# fmt: off
RULES: tuple[Rule, ...] = (
    rule("answered", "success", status=SUCCESS),
    # The request's own fault: another account would refuse it the same way.
    rule("count_tokens_unsupported", "request", "request", status=NOT_THERE, operations="count_tokens"),
    rule("compact_unsupported", "request", "request", status=NOT_THERE, operations="compact"),
    rule("previous_response_not_found", "request", "request", codes="previous_response_not_found"),
    rule("invalid_encrypted_content", "request", "request", codes="invalid_encrypted_content"),
    rule("invalid_signature", "request", "request", status=[400], text=INVALID_SIGNATURE),
    rule("context_too_long", "request", "request", codes="context_length_exceeded request_too_large"),
    rule("prompt_too_long", "request", "request", status=[400, 413, 422], text=TOO_LONG),
    # Quota with a known end.
    rule("usage_limit_reached", "reset", codes="usage_limit_reached"),
    # Money and entitlement: nothing clears them but the user.
    rule("insufficient_quota", "unhealthy", codes="insufficient_quota billing_error usage_not_included"),
    rule("credit_balance", "unhealthy", text=r"credit balance is too low|exceeded your current quota"),
    rule("api_key_invalid", "unhealthy", codes="api_key_invalid"),
    # Capacity is the model's, not the account's.
    rule("model_at_capacity", "transient", "model", codes="model_capacity_exhausted"),
    rule("model_at_capacity_text", "transient", "model", text=r"model is at capacity|no capacity available"),
    rule("codex_rate_limited", "transient", codes="rate_limit_exceeded", kinds="codex"),
    rule("overloaded", "transient", codes="overloaded_error server_is_overloaded service_unavailable_error"),
    # Kiro (providers/kiro/error.py): the month's credits spent is a quota that ends (its
    # usage endpoint names the reset); "temporarily is suspended" only support lifts.
    rule("kiro_limit_reached", "reset", status=[402], kinds="kiro"),
    rule("kiro_suspended", "unhealthy", status=[403, 429], kinds="kiro", text=r"suspended|suspicious"),
    rule("rate_limited_model", "reset", "model", status=[429], kinds=PER_MODEL_LIMITS),
    rule("rate_limited", "reset", status=[429]),
    rule("unauthorized", "refresh", status=[401]),
    rule("payment_required", "unhealthy", status=[402]),
    rule("cloudflare_challenge", "escalate", status=[403, 503], text=r"cloudflare|just a moment|cf-ray"),
    rule("forbidden", "unhealthy", status=[403]),
    rule("model_not_found", "model_off", "model", status=[404]),
    rule("model_not_found_code", "model_off", "model", codes="model_not_found"),
    rule("server_error", "transient", status=SERVER),
    rule("bad_request", "request", "request", status=CLIENT),
)
# fmt: on
