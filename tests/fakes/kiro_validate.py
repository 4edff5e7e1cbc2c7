"""What Kiro's runtime refuses with 400 "Improperly formed request." (runtimes.md §3g,
upstreams.md §7.3), checked the way its peers learned it: the body's two fields, history
alternating from a user turn, tools only on the current message, no empty text, no
`additionalProperties` in a tool schema, and a body under about 600 KB."""

from __future__ import annotations

from typing import Any

from tests.fakes.base import Rejected

BODY_LIMIT = 600_000
MALFORMED = "Improperly formed request."


def refuse(why: str) -> Rejected:
    return Rejected(f"{MALFORMED} ({why})", status=400, kind="ValidationException")


def validate(body: Any, size: int, models: list[str], needs_profile: bool) -> None:
    if size > BODY_LIMIT:
        raise refuse("the body is too large")
    if not isinstance(body, dict) or not isinstance(body.get("conversationState"), dict):
        raise refuse("no conversationState")
    if set(body) - {"conversationState", "profileArn"}:
        raise refuse(f"unknown fields {sorted(set(body) - {'conversationState', 'profileArn'})}")
    if needs_profile and not isinstance(body.get("profileArn"), str):
        raise refuse("no profileArn")
    state = body["conversationState"]
    if state.get("chatTriggerType") != "MANUAL" or not isinstance(state.get("conversationId"), str):
        raise refuse("chatTriggerType and conversationId")
    current = (state.get("currentMessage") or {}).get("userInputMessage")
    _user(current, models, current=True)
    _history(state.get("history", []), models)


def _history(history: Any, models: list[str]) -> None:
    if not isinstance(history, list):
        raise refuse("history is not a list")
    for number, entry in enumerate(history):
        wanted = "userInputMessage" if number % 2 == 0 else "assistantResponseMessage"
        if not isinstance(entry, dict) or list(entry) != [wanted]:
            raise refuse(f"history[{number}] must be {wanted}: turns alternate from the user's")
        if wanted == "userInputMessage":
            _user(entry[wanted], models, current=False)
        else:
            _assistant(entry[wanted])
    if len(history) % 2:
        raise refuse("history must end with the assistant's turn: the current message is the user's")


def _user(message: Any, models: list[str], *, current: bool) -> None:
    if not isinstance(message, dict) or not isinstance(message.get("content"), str) or not message["content"]:
        raise refuse("a user message without content")
    if message.get("modelId") not in models or message.get("origin") != "AI_EDITOR":
        raise refuse(f"modelId {message.get('modelId')!r} / origin")
    context = message.get("userInputMessageContext") or {}
    if "tools" in context and not current:
        raise refuse("tools in history")
    for tool in context.get("tools", []):
        _tool(tool)
    for result in context.get("toolResults", []):
        if not isinstance(result.get("toolUseId"), str) or result.get("status") not in ("success", "error"):
            raise refuse("a tool result without toolUseId or status")


def _assistant(message: Any) -> None:
    if not isinstance(message, dict) or not isinstance(message.get("content"), str) or not message["content"]:
        raise refuse("an assistant message without content")
    for use in message.get("toolUses", []):
        if not isinstance(use.get("input"), dict) or not use.get("toolUseId") or not use.get("name"):
            raise refuse("a toolUse without toolUseId, name or input object")


def _tool(tool: Any) -> None:
    spec = tool.get("toolSpecification") if isinstance(tool, dict) else None
    if not isinstance(spec, dict) or not spec.get("name") or not spec.get("description"):
        raise refuse("a tool without name or description")
    if len(spec["description"]) > 10_000:
        raise refuse("a tool description over 10000 characters")
    schema = (spec.get("inputSchema") or {}).get("json")
    if not isinstance(schema, dict) or _has_key(schema, "additionalProperties"):
        raise refuse("a tool schema that is missing or has additionalProperties")


def _has_key(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return key in value or any(_has_key(item, key) for item in value.values())
    if isinstance(value, list):
        return any(_has_key(item, key) for item in value)
    return False
