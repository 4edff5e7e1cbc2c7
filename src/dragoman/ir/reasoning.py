"""Reasoning carry-over rules shared by every dialect.

Signatures (Anthropic thinking signatures, Responses `encrypted_content`, Gemini
`thoughtSignature`) are opaque tokens only their producer can check. Every thinking
part carries its origin: the provider kind and the account that produced it,
`origin_of(kind, account)` = `<kind>:<account>`. When a signature is handed to a
client it is wrapped with that origin:

    dgm2~<kind>:<account>~<item id>~<signature>

so that when the client sends the conversation back, a parser can tell where it came
from. Values of the older `dgm1~<account>~<item id>~<signature>` form (clients keep
conversations across upgrades) still read: their origin is the account alone.

Upstream renderers keep a thinking part only for the account that produced it (of the
same kind, when the origin names one), and send the original signature unwrapped;
others are dropped, text and all, never fabricated. Why the account and not merely the
provider: signatures are not portable between accounts.

- OpenAI / Codex `encrypted_content` is bound to the organization that produced it:
  another one answers 400 `invalid_encrypted_content`, "Encrypted content
  organization_id did not match the target organization" (openai/codex#13724,
  Kilo-Org/kilo#110).
- Anthropic documents no portability across organizations, and gateways that rotate
  Claude accounts see `Invalid signature in thinking block` when a conversation moves
  to another one (riba2534/happyclaw#474, caozhiyuan/copilot-api#63).

Dropped thinking text is not turned into visible assistant text either: the model
would read its own private (often summarised) reasoning as something it had said.
When an upstream still refuses a signature, the relay sends the request once more
without its reasoning (`without_reasoning`, `server.signatures`).
"""

from __future__ import annotations

from dataclasses import replace

from dragoman.ir.messages import Part, Thinking
from dragoman.ir.request import Effort, Request

_PREFIX = "dgm2~"
_PREFIXES = ("dgm2~", "dgm1~")  # read both; the same length, so one slice strips either

# Thinking budgets for effort levels, and back. Midpoints of what the vendors
# document for their own mapping (Anthropic budget tokens vs. OpenAI effort).
EFFORT_BUDGETS: dict[str, int] = {
    "none": 0,
    "minimal": 1024,
    "low": 2048,
    "medium": 8192,
    "high": 24576,
    "xhigh": 32768,
    "max": 65536,
}


def wrap_signature(part: Thinking) -> str | None:
    """The signature as a client sees it: tagged with its origin and item id."""
    if part.signature is None:
        return None
    if part.origin is None:
        return part.signature
    return f"{_PREFIX}{part.origin}~{part.id or ''}~{part.signature}"


def unwrap_signature(value: str | None) -> tuple[str | None, str | None, str | None]:
    """`(origin, item id, signature)` from a value a client sent back, in either form
    (a `dgm1` origin is the account alone).

    A value dragoman did not wrap has no known origin.
    """
    if value is None or not value.startswith(_PREFIXES):
        return None, None, value
    origin, item_id, signature = value[len(_PREFIX) :].split("~", 2)
    return origin, item_id or None, signature


def origin_of(kind: str, account: str) -> str:
    """The origin an upstream stamps on its thinking: its provider kind and account."""
    return f"{kind}:{account}"


def account_of(origin: str) -> str:
    """The account an origin names (the whole value for one that names no kind)."""
    return origin.partition(":")[2] or origin


def budget_for_effort(effort: str | None) -> int | None:
    return None if effort is None else EFFORT_BUDGETS.get(effort)


def effort_for_budget(budget: int | None) -> Effort | None:
    """The smallest effort level whose budget covers `budget`."""
    if budget is None:
        return None
    if budget <= 0:
        return "none"
    for effort, ceiling in EFFORT_BUDGETS.items():
        if effort != "none" and budget <= ceiling:
            return effort  # type: ignore[return-value]
    return "max"


def keep_for(part: Thinking, origin: str, *, same_dialect: bool) -> bool:
    """Whether a thinking part may be sent to the upstream whose origin is `origin`:
    only to the account that produced it.

    A part with no known origin came from a client that talked to this upstream's
    dialect directly (history from before dragoman); it is kept only when the
    upstream speaks the client's own dialect. A `dgm1` part names its account only.
    """
    if part.origin is None:
        return same_dialect
    if part.origin == origin:
        return True
    return ":" not in part.origin and part.origin == account_of(origin)


def without_reasoning(request: Request) -> Request | None:
    """`request` with its thinking parts left out, or None when it has none.

    Codex's compacted history (a redacted part of no origin from a Responses client)
    stays: it is the conversation itself, not reasoning about it.
    """
    if not any(isinstance(part, Thinking) for message in request.messages for part in message.parts):
        return None
    compacted = request.source == "openai_responses"
    messages = [
        replace(message, parts=[part for part in message.parts if not _reasoning(part, compacted)])
        for message in request.messages
    ]
    return replace(request, messages=[message for message in messages if message.parts])


def _reasoning(part: Part, compacted: bool) -> bool:
    if not isinstance(part, Thinking):
        return False
    return not (compacted and part.redacted and part.origin is None)
