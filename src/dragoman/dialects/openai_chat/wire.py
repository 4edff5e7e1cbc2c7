"""The JSON shapes of OpenAI Chat Completions, as TypedDicts.

Only the fields dragoman reads or writes are listed; both directions use plain dicts
of these shapes (`total=False`: every field may be absent on the wire).
Source: the openai-python SDK's generated `types/chat/*` and `types/completion_usage.py`.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

FinishReason = Literal["stop", "length", "tool_calls", "content_filter", "function_call"]


class ImageURL(TypedDict, total=False):
    url: str
    detail: str


class FileData(TypedDict, total=False):
    file_data: str
    file_id: str
    filename: str


class InputAudio(TypedDict, total=False):
    data: str
    format: str


class ContentPart(TypedDict, total=False):
    type: Literal["text", "image_url", "input_audio", "file", "refusal"]
    text: str
    refusal: str
    image_url: ImageURL
    input_audio: InputAudio
    file: FileData
    cache_control: dict[str, Any]


class FunctionCall(TypedDict, total=False):
    name: str
    arguments: str


class CustomCall(TypedDict, total=False):
    name: str
    input: str


class ToolCall(TypedDict, total=False):
    id: str
    type: Literal["function", "custom"]
    function: FunctionCall
    custom: CustomCall


class Message(TypedDict, total=False):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None
    name: str
    refusal: str | None
    tool_calls: list[ToolCall]
    function_call: FunctionCall
    tool_call_id: str
    # Not OpenAI's: DeepSeek, vLLM and OpenRouter carry reasoning text here.
    reasoning_content: str
    reasoning: str


class FunctionDefinition(TypedDict, total=False):
    name: str
    description: str
    parameters: dict[str, Any]
    strict: bool


class CustomDefinition(TypedDict, total=False):
    name: str
    description: str
    format: dict[str, Any]


class Tool(TypedDict, total=False):
    type: Literal["function", "custom"]
    function: FunctionDefinition
    custom: CustomDefinition


class JSONSchemaFormat(TypedDict, total=False):
    name: str
    schema: dict[str, Any]
    strict: bool
    description: str


class ResponseFormat(TypedDict, total=False):
    type: Literal["text", "json_object", "json_schema"]
    json_schema: JSONSchemaFormat


class StreamOptions(TypedDict, total=False):
    include_usage: bool


class Request(TypedDict, total=False):
    model: str
    messages: list[Message]
    tools: list[Tool]
    tool_choice: str | dict[str, Any]
    parallel_tool_calls: bool
    functions: list[FunctionDefinition]
    function_call: str | dict[str, Any]
    stream: bool
    stream_options: StreamOptions
    max_completion_tokens: int
    max_tokens: int
    temperature: float
    top_p: float
    top_k: int
    stop: str | list[str]
    seed: int
    presence_penalty: float
    frequency_penalty: float
    response_format: ResponseFormat
    reasoning_effort: str
    user: str
    metadata: dict[str, Any]


class PromptTokensDetails(TypedDict, total=False):
    cached_tokens: int
    cache_write_tokens: int


class CompletionTokensDetails(TypedDict, total=False):
    reasoning_tokens: int


class Usage(TypedDict, total=False):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    prompt_tokens_details: PromptTokensDetails
    completion_tokens_details: CompletionTokensDetails


class Choice(TypedDict, total=False):
    index: int
    message: Message
    logprobs: None
    finish_reason: FinishReason | None


class Completion(TypedDict, total=False):
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[Choice]
    usage: Usage


class DeltaToolCall(TypedDict, total=False):
    index: int
    id: str
    type: Literal["function"]
    function: FunctionCall


class Delta(TypedDict, total=False):
    role: Literal["assistant"]
    content: str | None
    refusal: str | None
    reasoning_content: str
    reasoning: str
    tool_calls: list[DeltaToolCall]
    function_call: FunctionCall


class ChunkChoice(TypedDict, total=False):
    index: int
    delta: Delta
    logprobs: None
    finish_reason: FinishReason | None


class Chunk(TypedDict, total=False):
    id: str
    object: Literal["chat.completion.chunk"]
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None


class ErrorDetail(TypedDict, total=False):
    message: str
    type: str
    param: str | None
    code: str | int | None


class ErrorBody(TypedDict):
    error: ErrorDetail
