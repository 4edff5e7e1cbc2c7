"""Message content parts: Chat `content` strings and part lists <-> IR parts.

Chat carries images as `image_url` (an https URL or a base64 data: URL), files as
`file` parts with a data: URL in `file_data`, and audio as `input_audio`; audio has
no IR kind of its own, so it travels as a `Document` with an `audio/*` media type.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable, Sequence
from typing import Any

from dragoman.dialects.fields import (
    expect_object,
    expect_str,
    invalid,
    json_name,
    optional_object,
    optional_str,
)
from dragoman.dialects.openai_chat import wire
from dragoman.ir.media import data_url, parse_data_url
from dragoman.ir.messages import Document, Image, Text

logger = logging.getLogger("dragoman.dialects")

TEXT_ONLY = frozenset({"text"})
USER_PARTS = frozenset({"text", "image_url", "input_audio", "file"})
ASSISTANT_PARTS = frozenset({"text", "refusal"})
# Tool messages are text-only in OpenAI's schema; other servers accept media there.
TOOL_PARTS = frozenset({"text", "image_url", "file"})

ContentPart = Text | Image | Document


def parse_content(value: object, path: str, allowed: frozenset[str]) -> list[ContentPart]:
    """The parts of a message's `content`: a string, a list of parts, or null."""
    if value is None:
        return []
    if isinstance(value, str):
        return [Text(value)] if value else []
    if not isinstance(value, list):
        raise invalid(path, f"expected a string or a list, got {json_name(value)}")
    return [_parse_part(item, f"{path}[{index}]", allowed) for index, item in enumerate(value)]


def _parse_part(value: object, path: str, allowed: frozenset[str]) -> ContentPart:
    part = expect_object(value, path)
    kind = part.get("type")
    parser = _PART_PARSERS.get(kind) if isinstance(kind, str) else None
    if parser is None:
        raise invalid(f"{path}.type", f"unknown content part type {kind!r}")
    if kind not in allowed:
        raise invalid(f"{path}.type", f"a {kind!r} part is not allowed in this message")
    return parser(part, path)


def _text(part: dict[str, Any], path: str) -> Text:
    cache_control = optional_object(part.get("cache_control"), f"{path}.cache_control")
    return Text(expect_str(part.get("text"), f"{path}.text"), cache_control=cache_control)


def _refusal(part: dict[str, Any], path: str) -> Text:
    return Text(expect_str(part.get("refusal"), f"{path}.refusal"))


def _image(part: dict[str, Any], path: str) -> Image:
    value = part.get("image_url")
    # Some clients send the URL itself rather than {"url": ...}.
    image = {"url": value} if isinstance(value, str) else expect_object(value, f"{path}.image_url")
    url = expect_str(image.get("url"), f"{path}.image_url.url")
    detail = optional_str(image.get("detail"), f"{path}.image_url.detail")
    inline = parse_data_url(url)
    if inline is None:
        return Image(url=url, detail=detail)
    return Image(media_type=inline[0], data=inline[1], detail=detail)


def _audio(part: dict[str, Any], path: str) -> Document:
    audio = expect_object(part.get("input_audio"), f"{path}.input_audio")
    data = expect_str(audio.get("data"), f"{path}.input_audio.data")
    audio_format = expect_str(audio.get("format"), f"{path}.input_audio.format")
    return Document(media_type=f"audio/{audio_format}", data=data)


def _file(part: dict[str, Any], path: str) -> Document:
    file = expect_object(part.get("file"), f"{path}.file")
    filename = optional_str(file.get("filename"), f"{path}.file.filename")
    file_data = optional_str(file.get("file_data"), f"{path}.file.file_data")
    if file_data is None:
        # A file_id names an upload in one OpenAI account; no other upstream can read it.
        raise invalid(f"{path}.file", "only inline files (file_data) are supported, not file_id")
    inline = parse_data_url(file_data)
    if inline is None:
        media_type = mimetypes.guess_type(filename)[0] if filename else None
        return Document(media_type=media_type, data=file_data, filename=filename)
    return Document(media_type=inline[0], data=inline[1], filename=filename)


_PART_PARSERS: dict[str, Callable[[dict[str, Any], str], ContentPart]] = {
    "text": _text,
    "refusal": _refusal,
    "image_url": _image,
    "input_audio": _audio,
    "file": _file,
}


def text_parts(value: object, path: str) -> list[Text]:
    """The text of a system, developer or assistant `content`."""
    return [part for part in parse_content(value, path, TEXT_ONLY) if isinstance(part, Text)]


def render_part(part: ContentPart, *, keep_cache: bool) -> wire.ContentPart:
    if isinstance(part, Text):
        rendered: wire.ContentPart = {"type": "text", "text": part.text}
        if keep_cache and part.cache_control is not None:
            rendered["cache_control"] = part.cache_control
        return rendered
    if isinstance(part, Image):
        return {"type": "image_url", "image_url": _image_url(part)}
    return _render_document(part)


def _image_url(image: Image) -> wire.ImageURL:
    url = data_url(image.media_type, image.data) if image.data is not None else image.url or ""
    rendered: wire.ImageURL = {"url": url}
    if image.detail is not None:
        rendered["detail"] = image.detail
    return rendered


def _render_document(document: Document) -> wire.ContentPart:
    media_type = document.media_type or ""
    if document.data is not None and media_type.startswith("audio/"):
        return {"type": "input_audio", "input_audio": {"data": document.data, "format": media_type[6:]}}
    if document.data is not None:
        file: wire.FileData = {
            "file_data": data_url(document.media_type, document.data),
            "filename": document.filename or _default_filename(document.media_type),
        }
        return {"type": "file", "file": file}
    if document.text is not None:
        return {"type": "text", "text": document.text}
    # Chat has no file-by-URL part: the model is at least told where the document is.
    logger.warning("openai_chat: a document given by URL is sent as its URL in text")
    return {"type": "text", "text": document.url or ""}


def _default_filename(media_type: str | None) -> str:
    extension = mimetypes.guess_extension(media_type) if media_type else None
    return f"document{extension or ''}"


def render_content(parts: Sequence[ContentPart], *, keep_cache: bool) -> str | list[wire.ContentPart]:
    """A `content` value: a plain string when it is one plain text, else a part list."""
    if not parts:
        return ""
    if len(parts) == 1:
        only = parts[0]
        if isinstance(only, Text) and (only.cache_control is None or not keep_cache):
            return only.text
    return [render_part(part, keep_cache=keep_cache) for part in parts]
