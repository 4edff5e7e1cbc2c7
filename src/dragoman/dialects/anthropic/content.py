"""Content blocks of request messages: Anthropic blocks -> IR parts and back.

Parsing reads what a client sent; rendering writes what the Anthropic API accepts
(no empty text blocks, no unsigned thinking). Thinking signatures are unwrapped on the
way in (`ir.reasoning.unwrap_signature`); the renderer receives parts already chosen by
the keep rule and sends their raw signatures.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Callable
from typing import Any

import orjson

from dragoman.ir.errors import InvalidRequest
from dragoman.ir.media import parse_data_url
from dragoman.ir.messages import Document, Image, Part, Text, Thinking, ToolCall, ToolResult
from dragoman.ir.reasoning import unwrap_signature

log = logging.getLogger("dragoman.dialects")

# Blocks produced by Anthropic's server tools (web search, code execution, ...). The IR
# has no place for them: they are dropped from history, which the API accepts.
SERVER_BLOCKS = frozenset(
    {
        "server_tool_use",
        "web_search_tool_result",
        "web_fetch_tool_result",
        "code_execution_tool_result",
        "bash_code_execution_tool_result",
        "text_editor_code_execution_tool_result",
        "tool_search_tool_result",
        "mcp_tool_use",
        "mcp_tool_result",
        "container_upload",
    }
)

# Tool search answers with `tool_reference` blocks inside a tool_result. They travel as
# this text, which other upstreams read as plain words and ours turns back into the block.
_RESULT_BLOCKS = frozenset({"text", "image", "document"})
_REFERENCE = re.compile(r'<tool_reference tool_name="([^"<>]*)"/>')


def parse_content(content: Any, path: str) -> list[Part]:
    """The parts of a message's `content`: a string or a list of blocks."""
    if isinstance(content, str):
        return [Text(content)] if content else []
    if not isinstance(content, list):
        raise InvalidRequest(f"{path}: expected a string or a list of content blocks", param=path)
    parts: list[Part] = []
    for index, block in enumerate(content):
        part = parse_block(block, f"{path}[{index}]")
        if part is not None:
            parts.append(part)
    return parts


def parse_block(block: Any, path: str) -> Part | None:
    kind = _block_type(block, path)
    parser = _PARSERS.get(kind)
    if parser is not None:
        return parser(block, path)
    if kind in SERVER_BLOCKS:
        log.warning("anthropic: dropped a %s block from the history (%s)", kind, path)
        return None
    raise InvalidRequest(f"{path}.type: unknown block type {kind!r}", param=f"{path}.type")


def _block_type(block: Any, path: str) -> str:
    if not isinstance(block, dict):
        raise InvalidRequest(f"{path}: expected a content block object", param=path)
    kind = block.get("type")
    if not isinstance(kind, str):
        raise InvalidRequest(f"{path}.type: expected a string", param=f"{path}.type")
    return kind


def _string(block: dict[str, Any], key: str, path: str, *, default: str | None = None) -> str:
    value = block.get(key, default)
    if not isinstance(value, str):
        raise InvalidRequest(f"{path}.{key}: expected a string", param=f"{path}.{key}")
    return value


def _cache_control(block: dict[str, Any]) -> dict[str, Any] | None:
    value = block.get("cache_control")
    return value if isinstance(value, dict) else None


def _text(block: dict[str, Any], path: str) -> Text:
    return Text(_string(block, "text", path), cache_control=_cache_control(block))


def _source(block: dict[str, Any], path: str) -> tuple[str, dict[str, Any]]:
    source = block.get("source")
    if not isinstance(source, dict):
        raise InvalidRequest(f"{path}.source: expected an object", param=f"{path}.source")
    return _string(source, "type", f"{path}.source"), source


def _image(block: dict[str, Any], path: str) -> Image:
    kind, source = _source(block, path)
    if kind == "base64":
        return Image(media_type=source.get("media_type"), data=_string(source, "data", f"{path}.source"))
    if kind == "url":
        return Image(url=_string(source, "url", f"{path}.source"))
    raise InvalidRequest(
        f"{path}.source.type: unsupported image source {kind!r}", param=f"{path}.source.type"
    )


def _document(block: dict[str, Any], path: str) -> Document:
    kind, source = _source(block, path)
    title = block.get("title") if isinstance(block.get("title"), str) else None
    where = f"{path}.source"
    if kind == "base64":
        return Document(media_type=source.get("media_type"), data=_string(source, "data", where), title=title)
    if kind == "text":
        return Document(media_type="text/plain", text=_string(source, "data", where), title=title)
    if kind == "url":
        return Document(url=_string(source, "url", where), title=title)
    if kind == "content":
        parts = parse_content(source.get("content"), f"{where}.content")
        text = "\n\n".join(part.text for part in parts if isinstance(part, Text))
        return Document(media_type="text/plain", text=text, title=title)
    raise InvalidRequest(f"{where}.type: unsupported document source {kind!r}", param=f"{where}.type")


def _tool_use(block: dict[str, Any], path: str) -> ToolCall:
    try:
        arguments = orjson.dumps(block.get("input", {})).decode()
    except orjson.JSONEncodeError as error:
        raise InvalidRequest(f"{path}.input: {error}", param=f"{path}.input") from None
    return ToolCall(id=_string(block, "id", path), name=_string(block, "name", path), arguments=arguments)


def _tool_result(block: dict[str, Any], path: str) -> ToolResult:
    content = _result_content(block.get("content", ""), f"{path}.content")
    cache_control = _cache_control(block)
    if cache_control is not None:
        # The IR keeps cache markers on text only: the breakpoint moves onto the
        # result's last text (the renderer lifts it back onto the block).
        last = content[-1] if content else None
        if isinstance(last, Text) and last.cache_control is None:
            last.cache_control = cache_control
        else:
            content.append(Text("", cache_control=cache_control))
    is_error = block.get("is_error") is True
    return ToolResult(call_id=_string(block, "tool_use_id", path), content=content, is_error=is_error)


def _result_content(content: Any, path: str) -> list[Text | Image | Document]:
    if isinstance(content, str):
        return [Text(content)] if content else []
    if not isinstance(content, list):
        raise InvalidRequest(f"{path}: expected a string or a list of content blocks", param=path)
    parts: list[Text | Image | Document] = []
    for index, block in enumerate(content):
        where = f"{path}[{index}]"
        kind = _block_type(block, where)
        if kind == "tool_reference":
            name = _string(block, "tool_name", where)
            parts.append(Text(f'<tool_reference tool_name="{name}"/>', cache_control=_cache_control(block)))
        elif kind in _RESULT_BLOCKS:
            parts.append(_PARSERS[kind](block, where))  # type: ignore[arg-type]
        else:
            raise InvalidRequest(
                f"{where}.type: {kind!r} is not allowed in a tool result", param=f"{where}.type"
            )
    return parts


def _thinking(block: dict[str, Any], path: str) -> Thinking:
    signature = block.get("signature")
    origin, item_id, raw = _unwrap(signature if isinstance(signature, str) and signature else None)
    return Thinking(text=_string(block, "thinking", path), signature=raw, id=item_id, origin=origin)


def _redacted_thinking(block: dict[str, Any], path: str) -> Thinking:
    origin, item_id, data = _unwrap(_string(block, "data", path))
    return Thinking(signature=data, redacted=True, id=item_id, origin=origin)


def _unwrap(value: str | None) -> tuple[str | None, str | None, str | None]:
    try:
        return unwrap_signature(value)
    except ValueError:
        return None, None, value  # looks wrapped but is not: keep it as the client sent it


_PARSERS: dict[str, Callable[[dict[str, Any], str], Part]] = {
    "text": _text,
    "image": _image,
    "document": _document,
    "tool_use": _tool_use,
    "tool_result": _tool_result,
    "thinking": _thinking,
    "redacted_thinking": _redacted_thinking,
}


# ---------------------------------------------------------------- rendering upstream


def render_part(part: Part, tool_id: Callable[[str], str], *, native: bool) -> dict[str, Any] | None:
    """The block the Anthropic API accepts for `part`, or None when it has none."""
    if isinstance(part, Text):
        return render_text(part)
    if isinstance(part, ToolCall):
        return {
            "type": "tool_use",
            "id": tool_id(part.id),
            "name": part.name,
            "input": part.arguments_object(),
        }
    if isinstance(part, ToolResult):
        return _render_result(part, tool_id, native=native)
    if isinstance(part, Thinking):
        return _render_thinking(part)
    if isinstance(part, Image):
        return _render_image(part)
    return _render_document(part)


def render_text(part: Text) -> dict[str, Any] | None:
    if not part.text.strip():
        return None  # the API rejects empty and blank text blocks
    block: dict[str, Any] = {"type": "text", "text": part.text}
    if part.cache_control is not None:
        block["cache_control"] = part.cache_control
    return block


def _render_result(part: ToolResult, tool_id: Callable[[str], str], *, native: bool) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": tool_id(part.call_id)}
    content = list(part.content)
    last = content[-1] if content else None
    if isinstance(last, Text) and last.cache_control is not None and (len(content) == 1 or not last.text):
        block["cache_control"] = last.cache_control
        content[-1] = Text(last.text)
    if len(content) == 1 and isinstance(content[0], Text) and not _REFERENCE.fullmatch(content[0].text):
        if content[0].text:
            block["content"] = content[0].text
    elif content:
        blocks = [_render_result_part(item, native=native) for item in content]
        block["content"] = [item for item in blocks if item is not None]
    if part.is_error:
        block["is_error"] = True
    return block


def _render_result_part(part: Text | Image | Document, *, native: bool) -> dict[str, Any] | None:
    if isinstance(part, Text):
        reference = _REFERENCE.fullmatch(part.text) if native else None
        if reference is None:
            return render_text(part)
        block = {"type": "tool_reference", "tool_name": reference.group(1)}
        return block | ({"cache_control": part.cache_control} if part.cache_control else {})
    return _render_image(part) if isinstance(part, Image) else _render_document(part)


def _render_thinking(part: Thinking) -> dict[str, Any] | None:
    if not part.signature:
        return None  # the API verifies every thinking block; never send one unsigned
    if part.redacted:
        return {"type": "redacted_thinking", "data": part.signature}
    return {"type": "thinking", "thinking": part.text, "signature": part.signature}


def _render_image(part: Image) -> dict[str, Any] | None:
    if part.data is not None:
        source = {"type": "base64", "media_type": part.media_type or "image/png", "data": part.data}
    elif part.url is not None and (inline := parse_data_url(part.url)) is not None:
        source = {"type": "base64", "media_type": inline[0], "data": inline[1]}
    elif part.url is not None:
        source = {"type": "url", "url": part.url}
    else:
        return None
    return {"type": "image", "source": source}


def _render_document(part: Document) -> dict[str, Any] | None:
    source = _document_source(part)
    if source is None:
        log.warning("anthropic: dropped a %s document the API cannot read", part.media_type)
        return None
    block: dict[str, Any] = {"type": "document", "source": source}
    if part.title or part.filename:
        block["title"] = part.title or part.filename
    return block


def _document_source(part: Document) -> dict[str, Any] | None:
    if part.text is not None:
        return {"type": "text", "media_type": "text/plain", "data": part.text}
    media_type = part.media_type or "application/pdf"
    if part.data is not None and media_type == "application/pdf":
        return {"type": "base64", "media_type": media_type, "data": part.data}
    if part.data is not None and media_type.startswith("text/"):
        # Anthropic takes inline documents as PDF only; text files go as plain text.
        try:
            text = base64.b64decode(part.data, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return {"type": "text", "media_type": "text/plain", "data": text}
    if part.url is not None:
        return {"type": "url", "url": part.url}
    return None
