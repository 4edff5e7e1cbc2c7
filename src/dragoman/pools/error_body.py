"""What an upstream's error says, whatever its shape: its codes and its message.

    Anthropic   {"type": "error", "error": {"type": "rate_limit_error", "message": ...}}
    OpenAI      {"error": {"type": ..., "code": ..., "message": ...}}
    Codex       the same, plus {"detail": "..."} from its FastAPI front; in a stream
                {"type": "error", "code": ..., "message": ...} or
                {"type": "response.failed", "response": {"error": {"code": ..., "message": ...}}}
    Gemini      {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": ...,
                 "details": [{"@type": "...ErrorInfo", "reason": "QUOTA_EXHAUSTED", ...}]}},
                sometimes inside a one-element array
    xAI         {"code": "...", "error": "<message>"}
    anything    plain text (an HTML page from a proxy or Cloudflare)

Codes are every `type`, `code`, `status` and ErrorInfo `reason`, lower-cased, so a rule
can name any of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CODE_FIELDS = ("type", "code", "status", "error_type")
MESSAGE_LIMIT = 2000
GOOGLE_RPC = "type.googleapis.com/google.rpc."


@dataclass(frozen=True, slots=True)
class ErrorFacts:
    codes: frozenset[str]
    message: str


NO_FACTS = ErrorFacts(frozenset(), "")


def error_object(body: object) -> Mapping[str, Any]:
    """The mapping that describes the error, or an empty one."""
    if isinstance(body, Sequence) and not isinstance(body, str | bytes) and body:
        body = body[0]
    if not isinstance(body, Mapping):
        return {}
    error = body.get("error")
    if isinstance(error, Mapping):
        return error
    response = body.get("response")
    nested = response.get("error") if isinstance(response, Mapping) else None
    return nested if isinstance(nested, Mapping) else body


def facts(body: object) -> ErrorFacts:
    """Codes and message of an error body (parsed JSON, text or bytes)."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        return ErrorFacts(frozenset(), body[:MESSAGE_LIMIT])
    error = error_object(body)
    if not error:
        return NO_FACTS
    codes = {str(error[field]).lower() for field in CODE_FIELDS if _scalar(error.get(field))}
    codes.update(reason.lower() for reason in _reasons(error))
    return ErrorFacts(frozenset(codes), _message(error)[:MESSAGE_LIMIT])


def details(error: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    """Gemini's `error.details[]` entries of one google.rpc type ("RetryInfo", "ErrorInfo")."""
    found = error.get("details")
    if not isinstance(found, list):
        return []
    wanted = GOOGLE_RPC + kind
    return [entry for entry in found if isinstance(entry, Mapping) and entry.get("@type") == wanted]


def _reasons(error: Mapping[str, Any]) -> list[str]:
    return [entry["reason"] for entry in details(error, "ErrorInfo") if isinstance(entry.get("reason"), str)]


def _message(error: Mapping[str, Any]) -> str:
    for field in ("message", "detail", "error"):
        value = error.get(field)
        if isinstance(value, str) and value:
            return value
    return ""


def _scalar(value: object) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and value != ""
