"""TypedDicts of the Anthropic Messages JSON shapes (requests, answers, stream events, errors).

Only documentation for readers and type checkers: the code handles plain dicts and
never validates against these at run time.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

CacheControl = dict[str, Any]


class TextBlock(TypedDict):
    type: Literal["text"]
    text: str
    cache_control: NotRequired[CacheControl]


class Base64Source(TypedDict):
    type: Literal["base64"]
    media_type: str
    data: str


class UrlSource(TypedDict):
    type: Literal["url"]
    url: str


class PlainTextSource(TypedDict):
    type: Literal["text"]
    media_type: Literal["text/plain"]
    data: str


class ImageBlock(TypedDict):
    type: Literal["image"]
    source: Base64Source | UrlSource


class DocumentBlock(TypedDict):
    type: Literal["document"]
    source: Base64Source | UrlSource | PlainTextSource
    title: NotRequired[str]


class ToolUseBlock(TypedDict):
    type: Literal["tool_use"]
    id: str
    name: str
    input: dict[str, Any]


class ToolResultBlock(TypedDict):
    type: Literal["tool_result"]
    tool_use_id: str
    content: NotRequired[str | list[TextBlock | ImageBlock | DocumentBlock]]
    is_error: NotRequired[bool]
    cache_control: NotRequired[CacheControl]


class ThinkingBlock(TypedDict):
    type: Literal["thinking"]
    thinking: str
    signature: str


class RedactedThinkingBlock(TypedDict):
    type: Literal["redacted_thinking"]
    data: str


Block = (
    TextBlock
    | ImageBlock
    | DocumentBlock
    | ToolUseBlock
    | ToolResultBlock
    | ThinkingBlock
    | RedactedThinkingBlock
)


class MessageParam(TypedDict):
    # "system" only mid-conversation, behind Anthropic's mid-conversation-system beta.
    role: Literal["user", "assistant", "system"]
    content: str | list[Block]


class ToolParam(TypedDict):
    name: str
    input_schema: dict[str, Any]
    description: NotRequired[str]
    type: NotRequired[Literal["custom"]]
    strict: NotRequired[bool]
    cache_control: NotRequired[CacheControl]


class ToolChoice(TypedDict):
    type: Literal["auto", "any", "none", "tool"]
    name: NotRequired[str]
    disable_parallel_tool_use: NotRequired[bool]


class ThinkingConfig(TypedDict):
    type: Literal["enabled", "adaptive", "disabled"]
    budget_tokens: NotRequired[int]
    display: NotRequired[Literal["summarized", "omitted"]]


class OutputConfig(TypedDict, total=False):
    effort: Literal["low", "medium", "high", "xhigh", "max"]
    format: dict[str, Any]  # {"type": "json_schema", "schema": {...}}


class MessageCreateBody(TypedDict):
    model: str
    messages: list[MessageParam]
    max_tokens: int
    system: NotRequired[str | list[TextBlock]]
    tools: NotRequired[list[dict[str, Any]]]
    tool_choice: NotRequired[ToolChoice]
    thinking: NotRequired[ThinkingConfig]
    output_config: NotRequired[OutputConfig]
    temperature: NotRequired[float]
    top_p: NotRequired[float]
    top_k: NotRequired[int]
    stop_sequences: NotRequired[list[str]]
    metadata: NotRequired[dict[str, Any]]
    stream: NotRequired[bool]


class Usage(TypedDict):
    # Uncached input only: the whole prompt is input + cache_creation + cache_read.
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: NotRequired[int]
    cache_read_input_tokens: NotRequired[int]
    output_tokens_details: NotRequired[dict[str, int]]  # {"thinking_tokens": N}


StopReason = Literal[
    "end_turn",
    "max_tokens",
    "stop_sequence",
    "tool_use",
    "pause_turn",
    "refusal",
    "model_context_window_exceeded",
]


class Message(TypedDict):
    id: str
    type: Literal["message"]
    role: Literal["assistant"]
    model: str
    content: list[Block]
    stop_reason: StopReason | None
    stop_sequence: str | None
    usage: Usage


class MessageStart(TypedDict):
    type: Literal["message_start"]
    message: Message


class ContentBlockStart(TypedDict):
    type: Literal["content_block_start"]
    index: int
    content_block: Block


class ContentBlockDelta(TypedDict):
    type: Literal["content_block_delta"]
    index: int
    # text_delta {text} | input_json_delta {partial_json} | thinking_delta {thinking}
    # | signature_delta {signature} | citations_delta {citation}
    delta: dict[str, Any]


class ContentBlockStop(TypedDict):
    type: Literal["content_block_stop"]
    index: int


class MessageDelta(TypedDict):
    type: Literal["message_delta"]
    delta: dict[str, Any]  # {stop_reason, stop_sequence}
    usage: dict[str, int]  # cumulative


class ErrorObject(TypedDict):
    type: str
    message: str


class ErrorBody(TypedDict):
    type: Literal["error"]
    error: ErrorObject
    request_id: NotRequired[str]


class CountTokensResult(TypedDict):
    input_tokens: int
