"""A conversation in the shape Kiro's runtime accepts (runtimes.md §3g, upstreams.md §7.3).

The rules peers learned from its refusals ("Improperly formed request"):

- history alternates user / assistant turns and starts with a user turn: consecutive
  turns of one role are merged, a placeholder user turn opens a history that starts
  with the assistant;
- the last turn is the user's and becomes `currentMessage`: after an assistant turn
  (a prefill) a placeholder user turn is added;
- tool results ride in the user turn after the call, in `userInputMessageContext.toolResults`;
- a message's text is never empty;
- images only inline (base64); thinking is not sent back (Kiro has no native thinking).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dragoman.ir.errors import InvalidRequest
from dragoman.ir.messages import Document, Image, Message, Part, Text, ToolCall, ToolResult

PLACEHOLDER = "(empty placeholder)"
CONTINUE = "Continue."
IMAGE_FORMATS = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
}


@dataclass(slots=True)
class Turn:
    """One turn being built: its role, and its parts in order."""

    role: str
    parts: list[Part] = field(default_factory=list)


def turns(messages: list[Message]) -> list[Turn]:
    """The messages as alternating turns, user first and last."""
    merged: list[Turn] = []
    for message in messages:
        role = "assistant" if message.role == "assistant" else "user"
        if merged and merged[-1].role == role:
            merged[-1].parts.extend(message.parts)
        else:
            merged.append(Turn(role, list(message.parts)))
    if not merged or merged[0].role != "user":
        merged.insert(0, Turn("user", [Text(PLACEHOLDER)]))
    if merged[-1].role != "user":
        merged.append(Turn("user", [Text(CONTINUE)]))
    return merged


def user_message(turn: Turn, model: str) -> dict[str, Any]:
    """A user turn as `userInputMessage` (its context without tools: the caller adds them)."""
    message: dict[str, Any] = {"content": _text(turn.parts), "modelId": model, "origin": "AI_EDITOR"}
    images = [_image(part) for part in turn.parts if isinstance(part, Image)]
    if images:
        message["images"] = images
    results = [_result(part) for part in turn.parts if isinstance(part, ToolResult)]
    if results:
        message["userInputMessageContext"] = {"toolResults": results}
    return message


def assistant_message(turn: Turn) -> dict[str, Any]:
    message: dict[str, Any] = {"content": _text(turn.parts)}
    calls = [part for part in turn.parts if isinstance(part, ToolCall)]
    if calls:
        message["toolUses"] = [
            {"toolUseId": call.id, "name": call.name, "input": call.arguments_object()} for call in calls
        ]
    return message


def _text(parts: list[Part]) -> str:
    texts = [part.text for part in parts if isinstance(part, Text) and part.text]
    texts += [_document(part) for part in parts if isinstance(part, Document)]
    return "\n\n".join(texts) or PLACEHOLDER


def _document(part: Document) -> str:
    if part.text is None:
        raise InvalidRequest("Kiro takes documents as text only; this one is a file (base64 or URL)")
    title = part.title or part.filename
    return f"{title}:\n{part.text}" if title else part.text


def _image(part: Image) -> dict[str, Any]:
    image_format = IMAGE_FORMATS.get((part.media_type or "").lower())
    if part.data is None or image_format is None:
        raise InvalidRequest("Kiro takes images inline only (base64 PNG, JPEG, GIF or WebP), not by URL")
    return {"format": image_format, "source": {"bytes": part.data}}


def _result(part: ToolResult) -> dict[str, Any]:
    text = "\n".join(piece.text for piece in part.content if isinstance(piece, Text))
    return {
        "toolUseId": part.call_id,
        "content": [{"text": text or PLACEHOLDER}],
        "status": "error" if part.is_error else "success",
    }
