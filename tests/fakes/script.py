"""The neutral scripting model every fake answers from, and the record of what a fake received.

A test queues `Reply` values on a fake (`fake.script(Reply(...), ...)`); each generation request
consumes one, in order, and the fake renders it in its own wire format. An empty queue answers
`DEFAULT_REPLY` (text "OK"). Requests rejected by auth or validation consume nothing.

Usage follows dragoman's IR convention, whatever the provider: `input` is the whole prompt
including cached tokens, `output` includes `reasoning`. Each fake converts to its provider's
semantics (e.g. Anthropic's `input_tokens` excludes cache reads and writes).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

Stop = Literal["end", "max_tokens", "refusal"]


@dataclass(slots=True)
class Usage:
    input: int = 10
    output: int = 5
    cached: int = 0
    reasoning: int = 0
    cache_write: int = 0


@dataclass(slots=True)
class Call:
    """A tool call the model makes. `id` None lets the fake mint one in its provider's style."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)
    id: str | None = None


@dataclass(slots=True)
class Failure:
    """An error answer.

    `kind` is the provider's error type (Anthropic `error.type`, OpenAI `error.type`, Gemini
    `error.status`); None picks the provider's usual one for `status`. `reason` is OpenAI's
    `error.code` or Gemini's ErrorInfo reason. `mid_stream` sends the error inside a 200 stream
    after the content (Anthropic `error` event, Responses `error` / `response.failed`, Chat and
    Gemini `data: {"error": ...}`); a non-streamed request still gets the HTTP error. `body`
    replaces the whole error body verbatim (dict -> JSON, str -> text), and for the Responses
    fake the in-stream error's fields too (Codex's `usage_limit_reached` with `resets_in_seconds`).
    A mid-stream failure of a Reply without text or calls comes before any content.
    """

    status: int
    message: str = "scripted failure"
    retry_after: float | None = None
    kind: str | None = None
    reason: str | None = None
    mid_stream: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | str | None = None


@dataclass(slots=True)
class Reply:
    """One scripted model answer; see the module docstring."""

    text: str | None = None
    thinking: str | None = None
    tool_calls: list[Call] = field(default_factory=list)
    stop: Stop = "end"
    usage: Usage = field(default_factory=Usage)
    error: Failure | None = None
    drop_after_chunks: int | None = None
    delay_before_first_byte: float = 0.0
    chunk_delay: float = 0.0
    chunks: int = 3
    headers: dict[str, str] = field(default_factory=dict)
    # The model writes until the request's max output stops it (a real upstream never
    # passes it): `text` becomes that many tokens' worth (four characters a token, as
    # dragoman estimates), `usage.output` that count, the stop `max_tokens`. A request
    # with no max output gets `FILLED_WITHOUT_MAX` tokens (a model's own limit).
    fills_max_output: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        """A Reply from its JSON form (the standalone fake's control API)."""
        fields = dict(data)
        fields["tool_calls"] = [Call(**call) for call in fields.get("tool_calls", [])]
        fields["usage"] = Usage(**fields.get("usage", {}))
        if fields.get("error") is not None:
            fields["error"] = Failure(**fields["error"])
        return cls(**fields)


DEFAULT_REPLY = Reply(text="OK")
FILLED_WITHOUT_MAX = 16_384
FILLER = "word "


def filled(reply: Reply, max_output: int | None) -> Reply:
    """`reply` as a model answering with all the output `max_output` allows (see `fills_max_output`)."""
    tokens = max_output if max_output is not None else FILLED_WITHOUT_MAX
    text = (FILLER * (4 * tokens // len(FILLER) + 1))[: 4 * tokens]
    usage = Usage(input=reply.usage.input, output=tokens, cached=reply.usage.cached)
    return replace(reply, text=text, usage=usage, stop="max_tokens", fills_max_output=False)


def split(text: str, pieces: int) -> list[str]:
    """`text` cut into at most `pieces` non-empty fragments (one fragment for empty text)."""
    if not text or pieces <= 1:
        return [text]
    size = -(-len(text) // pieces)
    return [text[start : start + size] for start in range(0, len(text), size)]


@dataclass(slots=True)
class RecordedRequest:
    """One request as the fake received it; `headers` keys are lower-case."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any = None

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)
