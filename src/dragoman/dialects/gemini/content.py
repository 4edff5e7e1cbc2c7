"""IR parts -> Gemini `Part`s, for upstream requests and client answers alike.

The inverse of `parts.py`: a `Thinking` with text is a `thought: true` part carrying
its signature; a `Thinking` with only a signature hands it to the next part as
`thoughtSignature` (or, last of all, to an empty text part).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import orjson

from dragoman.dialects.gemini import wire
from dragoman.ir.media import parse_data_url
from dragoman.ir.messages import Document, Image, Part, Text, Thinking, ToolCall, ToolResult

# How a kept thinking part's signature is written: raw upstream, wrapped for clients.
Signer = Callable[[Thinking], str | None]


def render_parts(parts: Iterable[Part], sign: Signer) -> list[wire.Part]:
    """Gemini parts for IR parts; media from tool results follows the message's parts."""
    out: list[wire.Part] = []
    moved: list[wire.Part] = []
    pending: str | None = None
    for part in parts:
        if isinstance(part, Thinking):
            if part.redacted:
                continue
            if not part.text:
                pending = sign(part) or pending
                continue
            rendered: wire.Part | None = _thought(part, sign)
        elif isinstance(part, ToolResult):
            rendered, media = function_response(part)
            moved += media
        else:
            rendered = render_part(part)
        if rendered is None:
            continue
        if pending is not None:
            rendered["thoughtSignature"] = pending
            pending = None
        out.append(rendered)
    if pending is not None:
        out.append({"text": "", "thoughtSignature": pending})
    return out + moved


def _thought(part: Thinking, sign: Signer) -> wire.Part:
    rendered: wire.Part = {"text": part.text, "thought": True}
    signature = sign(part)
    if signature:
        rendered["thoughtSignature"] = signature
    return rendered


def render_part(part: Part) -> wire.Part | None:
    if isinstance(part, Text):
        # Gemini rejects empty text parts; a signature it carried moves on anyway.
        return {"text": part.text} if part.text else None
    if isinstance(part, ToolCall):
        return {"functionCall": function_call(part)}
    if isinstance(part, Image | Document):
        return media_part(part)
    return None


def function_call(call: ToolCall) -> wire.FunctionCall:
    return {"id": call.id, "name": call.name, "args": call.arguments_object()}


def media_part(part: Image | Document) -> wire.Part:
    if isinstance(part, Document) and part.text is not None:
        return {"text": part.text}
    if part.data is not None:
        return {"inlineData": {"mimeType": part.media_type or _default_type(part), "data": part.data}}
    inline = parse_data_url(part.url or "")
    if inline is not None:
        return {"inlineData": {"mimeType": inline[0], "data": inline[1]}}
    file: wire.FileData = {"fileUri": part.url or ""}
    if part.media_type:
        file["mimeType"] = part.media_type
    return {"fileData": file}


def _default_type(part: Image | Document) -> str:
    return "image/png" if isinstance(part, Image) else "application/pdf"


def function_response(result: ToolResult) -> tuple[wire.Part, list[wire.Part]]:
    """The `functionResponse` part for a result, and the media it carried.

    Gemini wants `response` to be an object: text that is a JSON object is sent as
    that object, other text as `{"output": text}`, an error as `{"error": text}`.
    Images and files cannot sit inside it on every model; they follow it as parts.
    """
    texts: list[str] = []
    media: list[wire.Part] = []
    for item in result.content:
        if isinstance(item, Text) or (isinstance(item, Document) and item.text is not None):
            texts.append(item.text or "")
        else:
            media.append(media_part(item))
    response = _response_object("\n".join(texts), result.is_error, bool(texts))
    body: wire.FunctionResponse = {"name": result.name or "", "response": response}
    if result.call_id:
        body = {"id": result.call_id, **body}
    return {"functionResponse": body}, media


def _response_object(text: str, is_error: bool, has_text: bool) -> dict[str, Any]:
    if is_error:
        return {"error": text}
    if not has_text:
        return {}
    if text.startswith("{"):
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            return value
    return {"output": text}
