"""Messages and their content parts.

Parts are slotted dataclasses tagged by `kind`. They are mutable only so that
`ir.response.accumulate` can grow them in place while folding a stream; code outside
the accumulator treats them as values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import orjson


@dataclass(slots=True)
class Text:
    text: str
    # Anthropic prompt-caching marker, kept so an Anthropic upstream gets it back.
    cache_control: dict[str, Any] | None = None
    kind: Literal["text"] = "text"


@dataclass(slots=True)
class Image:
    """An image given inline (`data`, base64 without the data: prefix) or by `url`."""

    media_type: str | None = None
    data: str | None = None
    url: str | None = None
    detail: str | None = None
    kind: Literal["image"] = "image"


@dataclass(slots=True)
class Document:
    """A file such as a PDF: inline base64 `data`, a `url`, or plain `text`."""

    media_type: str | None = None
    data: str | None = None
    url: str | None = None
    text: str | None = None
    title: str | None = None
    filename: str | None = None
    kind: Literal["document"] = "document"


@dataclass(slots=True)
class Thinking:
    """Model reasoning, with the opaque token its producer needs to see again.

    `signature` is Anthropic's thinking signature, Responses' `encrypted_content`, or
    Gemini's `thoughtSignature`; `redacted` marks Anthropic `redacted_thinking` (the
    data is then in `signature`). `id` is the Responses reasoning item id. `origin`
    names who produced the signature (see `ir.reasoning`): a signature is only ever
    sent back to that origin, and dropped on the way to any other.
    """

    text: str = ""
    signature: str | None = None
    redacted: bool = False
    id: str | None = None
    origin: str | None = None
    kind: Literal["thinking"] = "thinking"


@dataclass(slots=True)
class ToolCall:
    """A call the model made. `arguments` is the JSON text of the arguments object.

    For a freeform (`custom`) tool the arguments are `{"input": "<text>"}`, so every
    dialect can carry them as a plain function call.
    """

    id: str
    name: str
    arguments: str = ""
    kind: Literal["tool_call"] = "tool_call"

    def arguments_object(self) -> dict[str, Any]:
        """The arguments as an object, for dialects that carry objects, not JSON text.

        Models sometimes emit arguments that are not a JSON object; they are kept as
        `{"input": <text>}` rather than lost.
        """
        if not self.arguments:
            return {}
        try:
            value = orjson.loads(self.arguments)
        except orjson.JSONDecodeError:
            return {"input": self.arguments}
        return value if isinstance(value, dict) else {"input": value}


@dataclass(slots=True)
class ToolResult:
    """The client's answer to a `ToolCall`, matched by `call_id`.

    `name` is filled in by `ir.request.link_tool_results` from the call it answers,
    because Gemini matches results by name.
    """

    call_id: str
    content: list[Text | Image | Document] = field(default_factory=list)
    is_error: bool = False
    name: str | None = None
    kind: Literal["tool_result"] = "tool_result"


Part = Text | Image | Document | Thinking | ToolCall | ToolResult
Role = Literal["user", "assistant", "system"]


@dataclass(slots=True)
class Message:
    """One turn. `role="system"` only for system text in the middle of a conversation;
    leading system text lives in `Request.system`."""

    role: Role
    parts: list[Part] = field(default_factory=list)

    def text(self) -> str:
        """The concatenated text parts: what a reader would call the message's text."""
        return "".join(part.text for part in self.parts if isinstance(part, Text))
