"""`dragoman route explain`: the routing decision for a saved request body, made by the
same `Policy.route` the gateway runs, with each signal and what it contributed.

The file is a request body, or a captured request (`{"method", "path", "headers",
"body"}`, as tests/fixtures/client-requests keeps them: its path names the dialect
and a Gemini model, its headers count). The dialect is guessed from the body's shape
unless given. No session state is read: a session's held tier is the gateway's alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dragoman import dialects
from dragoman.config.routing import TierName
from dragoman.ir.errors import GatewayError
from dragoman.ir.request import Request
from dragoman.policy.classify import Classification, classify
from dragoman.policy.decide import Decision, Policy
from dragoman.policy.signals import Signals, signals
from dragoman.routing.registry import Registry

# Message roles only OpenAI Chat has, and content block types only Anthropic has.
CHAT_ROLES = frozenset({"system", "developer", "tool", "function"})
ANTHROPIC_BLOCKS = frozenset({"tool_use", "tool_result", "thinking", "redacted_thinking", "document"})
PATH_DIALECTS = (
    ("/chat/completions", "openai_chat"),
    ("/responses", "openai_responses"),
    ("/messages", "anthropic"),
    (":generateContent", "gemini"),
    (":streamGenerateContent", "gemini"),
)


@dataclass(slots=True)
class Explained:
    dialect: str
    requested: str
    decision: Decision | None
    # What auto would make of the request (shown even when it did not ask for auto).
    found: Signals
    classification: Classification
    denied: str | None = None
    tiers: dict[TierName, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Saved:
    body: dict[str, Any]
    headers: dict[str, str]
    path: str | None


def saved(data: Any) -> Saved:
    """The body, headers and path of a saved file (a bare body or a captured request)."""
    if not isinstance(data, dict):
        raise ValueError("the file holds no JSON object")
    if isinstance(data.get("body"), dict) and "path" in data:
        headers = {str(k).lower(): str(v) for k, v in (data.get("headers") or {}).items()}
        return Saved(data["body"], headers, str(data["path"]))
    return Saved(data, {}, None)


def guess_dialect(body: Mapping[str, Any], path: str | None = None) -> str:
    """The client dialect a body was written in, from its path when known, else its shape."""
    for ending, dialect in PATH_DIALECTS:
        if path is not None and path.split("?")[0].endswith(ending):
            return dialect
    if "contents" in body:
        return "gemini"
    if "input" in body or "instructions" in body:
        return "openai_responses"
    found = body.get("messages")
    messages: list[Any] = found if isinstance(found, list) else []
    # Anthropic's own fields first: Claude Code also sends `role: "system"` messages.
    if "system" in body or "thinking" in body or _has_anthropic_block(messages):
        return "anthropic"
    if any(isinstance(m, dict) and m.get("role") in CHAT_ROLES for m in messages):
        return "openai_chat"
    return "anthropic" if "max_tokens" in body and "n" not in body else "openai_chat"


def _has_anthropic_block(messages: list[Any]) -> bool:
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list) and any(
            isinstance(block, dict) and block.get("type") in ANTHROPIC_BLOCKS for block in content
        ):
            return True
    return False


def parse(saved_request: Saved, dialect: str, model: str | None) -> Request:
    parser = dialects.get(dialect).request
    if dialect != "gemini":
        request: Request = parser.parse(saved_request.body)
    else:
        from_path = _gemini_model(saved_request.path)
        chosen = model or from_path or str(saved_request.body.get("model") or "auto")
        request = parser.parse(saved_request.body, model=chosen, stream=False)
    if model is not None:
        request.model = model
    return request


def _gemini_model(path: str | None) -> str | None:
    if path is None or "models/" not in path:
        return None
    return path.split("models/", 1)[1].split(":", 1)[0] or None


def explain(
    policy: Policy,
    registry: Registry,
    request: Request,
    dialect: str,
    headers: Mapping[str, str],
    key: str = "-",
) -> Explained:
    """What the gateway would do with this request (`Policy.route`), and why."""
    requested = request.model
    found = signals(request)
    classification = classify(found, policy.auto.floors)
    lowered = {name.lower(): value for name, value in headers.items()}
    explained = Explained(dialect, requested, None, found, classification)
    try:
        explained.decision = policy.route(request, registry, dialect, lowered, lambda: key)
    except GatewayError as error:
        explained.denied = f"{error.status} {error.message}"
    try:
        explained.tiers = dict(policy.tier_map("", registry))
    except GatewayError:
        explained.tiers = {}
    return explained
