"""Gemini `Part`s -> IR parts, for client history and upstream answers alike.

A `thoughtSignature` on any part becomes a `Thinking` part just before it (text "",
the signature), except on a thought part, which is a `Thinking` itself and keeps it.
Consecutive thought parts with no signature yet are one `Thinking` growing: streamed
thoughts come back from clients as many fragments, and the signature that closes a
block of Anthropic thinking arrives on a last, empty fragment.

Client-facing signatures are base64: google-genai types `thoughtSignature` as bytes
and rejects anything else, so the `dgm2~origin~id~signature` wrapping of
`ir.reasoning` goes out base64-encoded and is recognised on its way back.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

import orjson

from dragoman.dialects.gemini.fields import expect_list, expect_object, expect_str, get, invalid, optional_str
from dragoman.ir.messages import Document, Image, Part, Text, Thinking, ToolCall, ToolResult
from dragoman.ir.reasoning import unwrap_signature, wrap_signature

# (origin, item id, signature) of a thoughtSignature as received.
Signature = tuple[str | None, str | None, str]
SignatureReader = Callable[[str], Signature]
# The id a call with no `id` gets, from its JSON path.
CallIds = Callable[[str], str]

_URL_SAFE = str.maketrans("-_", "+/")
# base64 of "dgm2~..." (and of the older "dgm1~...") always starts so
_WRAPPED_PREFIXES = ("ZGdtMn", "ZGdtMX")
_METADATA = frozenset(
    {
        "thought", "thoughtSignature", "thought_signature", "videoMetadata", "video_metadata",
        "partMetadata", "part_metadata", "mediaResolution", "media_resolution",
    }
)  # fmt: skip


def client_signature(value: str) -> Signature:
    """A signature a client sent back: dragoman's own wrapping undone, if it is one."""
    text = value
    if value.startswith(_WRAPPED_PREFIXES):
        padded = value.replace("+", "-").replace("/", "_") + "=" * (-len(value) % 4)
        try:
            text = base64.urlsafe_b64decode(padded).decode()
        except (binascii.Error, UnicodeDecodeError):
            text = value
    if text.count("~") < 3:
        return None, None, value
    origin, item_id, signature = unwrap_signature(text)
    return origin, item_id, signature or value


def upstream_signature(origin: str) -> SignatureReader:
    """Signatures in an upstream answer belong to that upstream."""
    return lambda value: (origin, None, value)


def encode_signature(part: Thinking) -> str | None:
    """A thinking part's signature as a Gemini client receives it."""
    wrapped = wrap_signature(part)
    if wrapped is None or part.origin is None:
        return wrapped
    return base64.urlsafe_b64encode(wrapped.encode()).decode()


class PartReader:
    """Reads the parts of one content into IR parts, with one way of reading signatures."""

    __slots__ = ("_call_ids", "_origin", "_signature")

    def __init__(self, signature: SignatureReader, call_ids: CallIds, origin: str | None = None) -> None:
        self._signature = signature
        self._call_ids = call_ids
        self._origin = origin  # stamped on unsigned thinking from an upstream

    def read(self, raw: object, path: str, out: list[Part]) -> None:
        part = expect_object(raw, path)
        signature = optional_str(get(part, "thoughtSignature"), f"{path}.thoughtSignature")
        text = part.get("text")
        if get(part, "thought") is True and isinstance(text, str):
            self._thought(text, signature, out)
            return
        if signature:
            origin, item_id, value = self._signature(signature)
            out.append(Thinking(text="", signature=value, origin=origin, id=item_id))
        content = self.content(part, path)
        if content is not None:
            out.append(content)

    def _thought(self, text: str, signature: str | None, out: list[Part]) -> None:
        origin, item_id, value = self._signature(signature) if signature else (self._origin, None, None)
        last = out[-1] if out else None
        if isinstance(last, Thinking) and last.signature is None and not last.redacted:
            last.text += text
            if value is not None:
                last.signature, last.origin, last.id = value, origin, item_id
            return
        out.append(Thinking(text=text, signature=value, origin=origin, id=item_id))

    def content(self, part: dict[str, Any], path: str) -> Part | None:
        """The part's data as an IR part; None for a part with only metadata or empty text."""
        for key, value in part.items():
            reader = _READERS.get(key)
            if reader is not None:
                return reader(self, value, f"{path}.{key}")
        if all(key in _METADATA for key in part):
            return None
        raise invalid(path, f"unknown part with fields {', '.join(sorted(part))}")

    def call(self, value: object, path: str) -> ToolCall:
        call = expect_object(value, path)
        name = expect_str(call.get("name"), f"{path}.name")
        call_id = optional_str(call.get("id"), f"{path}.id") or self._call_ids(path)
        args = call.get("args")
        arguments = orjson.dumps(args if args is not None else {}).decode()
        return ToolCall(id=call_id, name=name, arguments=arguments)

    def result(self, value: object, path: str) -> ToolResult:
        # The call id is settled by the caller, which knows the conversation so far.
        response = expect_object(value, path)
        name = expect_str(response.get("name"), f"{path}.name")
        result = _result_body(response.get("response"), f"{path}.response")
        result.name = name
        result.call_id = optional_str(response.get("id"), f"{path}.id") or ""
        for index, item in enumerate(expect_list(response.get("parts") or [], f"{path}.parts")):
            media = _media(expect_object(item, f"{path}.parts[{index}]"), f"{path}.parts[{index}]")
            if media is not None:
                result.content.append(media)
        return result


def _result_body(value: object, path: str) -> ToolResult:
    """`{"output": "..."}` and `{"error": "..."}` are read as plain text; any other
    object is kept as its JSON text, so rendering it back gives the same object."""
    if value is None or value == {}:
        return ToolResult(call_id="")
    response = expect_object(value, path)
    if len(response) == 1:
        ((key, inner),) = response.items()
        if key in ("output", "error") and isinstance(inner, str):
            return ToolResult(call_id="", content=[Text(inner)], is_error=key == "error")
        if key == "error":
            return ToolResult(call_id="", content=[Text(orjson.dumps(inner).decode())], is_error=True)
    return ToolResult(call_id="", content=[Text(orjson.dumps(response).decode())])


def _media(part: dict[str, Any], path: str) -> Image | Document | None:
    for key in ("inlineData", "inline_data"):
        if key in part:
            return _inline_data(None, part[key], f"{path}.{key}")
    for key in ("fileData", "file_data"):
        if key in part:
            return _file_data(None, part[key], f"{path}.{key}")
    return None


def _text(reader: PartReader | None, value: object, path: str) -> Text | None:
    text = expect_str(value, path)
    return Text(text) if text else None


def _inline_data(reader: PartReader | None, value: object, path: str) -> Image | Document:
    blob = expect_object(value, path)
    media_type = optional_str(get(blob, "mimeType"), f"{path}.mimeType")
    data = standard_base64(expect_str(blob.get("data"), f"{path}.data"))
    if media_type and media_type.startswith("image/"):
        return Image(media_type=media_type, data=data)
    title = optional_str(get(blob, "displayName"), f"{path}.displayName")
    return Document(media_type=media_type, data=data, title=title)


def standard_base64(data: str) -> str:
    """Gemini takes either base64 alphabet (google-genai sends the URL-safe one); the IR and
    every other provider want the standard one."""
    if "-" in data or "_" in data:
        return data.translate(_URL_SAFE)
    return data


def _file_data(reader: PartReader | None, value: object, path: str) -> Image | Document:
    file = expect_object(value, path)
    media_type = optional_str(get(file, "mimeType"), f"{path}.mimeType")
    url = expect_str(get(file, "fileUri"), f"{path}.fileUri")
    if media_type and media_type.startswith("image/"):
        return Image(media_type=media_type, url=url)
    title = optional_str(get(file, "displayName"), f"{path}.displayName")
    return Document(media_type=media_type, url=url, title=title)


def _code(reader: PartReader | None, value: object, path: str) -> Text:
    # Results of Gemini's own code execution tool: no IR home, kept readable as text.
    code = expect_object(value, path)
    if "code" in code:
        return Text(f"```{str(code.get('language', '')).lower()}\n{code['code']}\n```")
    return Text(f"```\n{code.get('output', '')}\n```")


def _call(reader: PartReader, value: object, path: str) -> ToolCall:
    return reader.call(value, path)


def _response(reader: PartReader, value: object, path: str) -> ToolResult:
    return reader.result(value, path)


_READERS: dict[str, Callable[[Any, object, str], Part | None]] = {
    "text": _text,
    "inlineData": _inline_data,
    "inline_data": _inline_data,
    "fileData": _file_data,
    "file_data": _file_data,
    "functionCall": _call,
    "function_call": _call,
    "functionResponse": _response,
    "function_response": _response,
    "executableCode": _code,
    "executable_code": _code,
    "codeExecutionResult": _code,
    "code_execution_result": _code,
}
