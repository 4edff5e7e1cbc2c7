"""A conversation's key derived from its opening, for clients that send no session id
(Gemini CLI with an API key, bare SDK calls).

Every turn of a conversation repeats its opening: the system prompt and the first user
turn (the user messages before the first answer). Its text is hashed, never the JSON:
clients move `cache_control` marks and ids between turns, and re-serialising an 88 KB
body would cost more than the rest of the request's routing. Each piece of text goes in
as its length with its first and last 256 characters, so a 30 KB system prompt or a
5 MB image costs the same as a short one; two openings collide only if every piece has
the same length, head and tail. Claude Code's billing block, which may change per
request (`cch=`), is left out.

Bodies are what orjson parsed, so `isinstance(x, dict)`, not `Mapping`: the ABC check
costs ten times more, a dozen times per request.

The hash is SHA-256 (stable across processes, unlike `hash()`, so every worker derives
the same key; and the fastest of hashlib's where the CPU has SHA instructions).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from hashlib import sha256
from typing import Any

SAMPLE = 256
BILLING = "x-anthropic-billing-header:"
OPENING_ROLES = frozenset({"system", "developer", "user"})
# Where a part keeps its media, and the fields that tell one medium from another.
MEDIA = ("image_url", "source", "inlineData", "inline_data", "fileData", "file_data", "file", "input_audio")
MEDIA_FIELDS = (
    "media_type",
    "mimeType",
    "mime_type",
    "format",
    "url",
    "fileUri",
    "file_uri",
    "file_id",
    "filename",
)
MEDIA_DATA = "data"
REFERENCES = ("file_id", "file_url")

Pieces = list[str]


def opening_key(body: object, dialect: str) -> str | None:
    """32 hex digits naming the conversation's opening, None when there is none."""
    opening = OPENINGS.get(dialect)
    if opening is None or not isinstance(body, dict):
        return None
    pieces: Pieces = []
    opening(body, pieces)
    if not pieces:
        return None
    sampled = "".join(_sample(piece) for piece in pieces)
    return sha256(sampled.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _sample(piece: str) -> str:
    if len(piece) <= 2 * SAMPLE:
        return f"{len(piece)}\x1f{piece}\x1e"
    return f"{len(piece)}\x1f{piece[:SAMPLE]}{piece[-SAMPLE:]}\x1e"


def _anthropic(body: Mapping[str, Any], out: Pieces) -> None:
    system = body.get("system")
    if isinstance(system, str):
        out.append(system)
    elif isinstance(system, list):
        for block in system:
            text = block.get("text") if isinstance(block, dict) else None
            if isinstance(text, str) and not text.startswith(BILLING):
                out.append(text)
    _turns(body.get("messages"), "content", None, out)


def _openai_chat(body: Mapping[str, Any], out: Pieces) -> None:
    _turns(body.get("messages"), "content", None, out)


def _openai_responses(body: Mapping[str, Any], out: Pieces) -> None:
    instructions, given = body.get("instructions"), body.get("input")
    if isinstance(instructions, str):
        out.append(instructions)
    if isinstance(given, str):
        out.append(given)
    else:
        # Items with a role, up to the first without one (a call, reasoning) or the first
        # answer; Codex opens with role-carrying `additional_tools` items too.
        _turns(given, "content", None, out)


def _gemini(body: Mapping[str, Any], out: Pieces) -> None:
    inner = body.get("request")
    if "contents" not in body and isinstance(inner, dict):
        body = inner  # Code Assist wraps the request
    system = body.get("systemInstruction") or body.get("system_instruction")
    if isinstance(system, str):
        out.append(system)
    elif isinstance(system, dict):
        _parts(system.get("parts"), out)
    cached = body.get("cachedContent")
    if isinstance(cached, str):
        out.append(cached)
    _turns(body.get("contents"), "parts", "user", out)


def _turns(turns: object, field: str, default_role: str | None, out: Pieces) -> None:
    """The parts of the turns before the first answer."""
    if not isinstance(turns, list):
        return
    for turn in turns:
        if not isinstance(turn, dict) or turn.get("role", default_role) not in OPENING_ROLES:
            return
        _parts(turn.get(field), out)


def _parts(content: object, out: Pieces) -> None:
    if isinstance(content, str):
        out.append(content)
    elif isinstance(content, list):
        for part in content:
            _part(part, out)


def _part(part: object, out: Pieces) -> None:
    if isinstance(part, str):
        out.append(part)
        return
    if not isinstance(part, dict):
        return
    text = part.get("text")
    if isinstance(text, str):
        out.append(text)
        return
    for key in MEDIA:
        media = part.get(key)
        if isinstance(media, str):
            out.append(media)
            return
        if isinstance(media, dict):
            _media(media, out)
            return
    out.extend(value for key in REFERENCES if isinstance(value := part.get(key), str))
    kind = part.get("type")
    if isinstance(kind, str):
        out.append(kind)


def _media(media: Mapping[str, Any], out: Pieces) -> None:
    out.extend(value for key in MEDIA_FIELDS if isinstance(value := media.get(key), str))
    data = media.get(MEDIA_DATA)
    if isinstance(data, str):
        out.append(data)


OPENINGS: Mapping[str, Callable[[Mapping[str, Any], Pieces], None]] = {
    "anthropic": _anthropic,
    "openai_chat": _openai_chat,
    "openai_responses": _openai_responses,
    "gemini": _gemini,
}
