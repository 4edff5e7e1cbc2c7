"""TypedDicts of the OpenAI Responses JSON shapes (`POST /v1/responses`).

Documentation for readers and type checkers; the code works on plain dicts.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict


class InputText(TypedDict):
    type: Literal["input_text"]
    text: str


class InputImage(TypedDict, total=False):
    type: Literal["input_image"]
    image_url: str  # https://... or data:<media type>;base64,...
    file_id: str
    detail: str  # auto | low | high


class InputFile(TypedDict, total=False):
    type: Literal["input_file"]
    file_data: str  # data:<media type>;base64,...
    file_url: str
    file_id: str
    filename: str


class OutputText(TypedDict, total=False):
    type: Literal["output_text"]
    text: str
    annotations: list[Any]
    logprobs: list[Any]


class Refusal(TypedDict):
    type: Literal["refusal"]
    refusal: str


class MessageItem(TypedDict, total=False):
    type: Literal["message"]
    id: str
    role: str  # user | assistant | system | developer
    content: str | list[dict[str, Any]]
    status: str


class SummaryText(TypedDict):
    type: Literal["summary_text"]
    text: str


class ReasoningItem(TypedDict, total=False):
    type: Literal["reasoning"]
    id: str
    summary: list[SummaryText]
    content: list[dict[str, Any]]  # reasoning_text parts
    encrypted_content: str | None
    status: str


class FunctionCallItem(TypedDict, total=False):
    type: Literal["function_call"]
    id: str  # fc_...
    call_id: str  # links the call to its output
    name: str
    namespace: str  # the namespace tool the function belongs to
    arguments: str  # JSON text
    status: str


class FunctionCallOutputItem(TypedDict, total=False):
    type: Literal["function_call_output"]
    call_id: str
    output: str | list[dict[str, Any]]


class CustomToolCallItem(TypedDict, total=False):
    type: Literal["custom_tool_call"]
    id: str  # ctc_...
    call_id: str
    name: str
    namespace: str
    input: str  # freeform text


class CustomToolCallOutputItem(TypedDict, total=False):
    type: Literal["custom_tool_call_output"]
    call_id: str
    output: str | list[dict[str, Any]]


class AdditionalToolsItem(TypedDict, total=False):
    """Codex "responses lite": tools travel in `input` instead of the top level."""

    type: Literal["additional_tools"]
    role: str
    tools: list[dict[str, Any]]


class FunctionTool(TypedDict, total=False):
    type: Literal["function"]  # flat, unlike Chat Completions
    name: str
    description: str
    parameters: dict[str, Any] | None
    strict: bool | None


class CustomTool(TypedDict, total=False):
    type: Literal["custom"]
    name: str
    description: str
    format: dict[str, Any]  # {"type":"text"} | {"type":"grammar","syntax","definition"}


class NamespaceTool(TypedDict):
    type: Literal["namespace"]
    name: str
    description: str
    tools: list[FunctionTool | CustomTool]


class RequestBody(TypedDict, total=False):
    model: str
    input: str | list[dict[str, Any]]
    instructions: str
    tools: list[dict[str, Any]]
    tool_choice: str | dict[str, Any]
    parallel_tool_calls: bool
    stream: bool
    store: bool
    include: list[str]
    max_output_tokens: int
    temperature: float
    top_p: float
    reasoning: dict[str, Any]  # {"effort", "summary"}
    text: dict[str, Any]  # {"format", "verbosity"}
    metadata: dict[str, str]
    user: str
    prompt_cache_key: str


class InputTokensDetails(TypedDict):
    cached_tokens: int
    cache_write_tokens: int


class OutputTokensDetails(TypedDict):
    reasoning_tokens: int


class ResponseUsage(TypedDict):
    input_tokens: int  # includes cached tokens
    input_tokens_details: InputTokensDetails
    output_tokens: int  # includes reasoning tokens
    output_tokens_details: OutputTokensDetails
    total_tokens: int


class ResponseError(TypedDict):
    code: str
    message: str


class ResponseBody(TypedDict, total=False):
    id: str
    object: Literal["response"]
    created_at: int
    status: str  # completed | incomplete | failed | in_progress | queued | cancelled
    error: ResponseError | None
    incomplete_details: dict[str, str] | None  # {"reason": "max_output_tokens" | "content_filter"}
    model: str
    output: list[dict[str, Any]]
    usage: ResponseUsage | None


class StreamEvent(TypedDict, total=False):
    type: str  # response.created, response.output_text.delta, ...
    sequence_number: int
    response: ResponseBody
    output_index: int
    content_index: int
    summary_index: int
    item_id: str
    item: dict[str, Any]
    part: dict[str, Any]
    delta: str


class ErrorDetail(TypedDict):
    message: str
    type: str
    param: str | None
    code: str | None


class ErrorBody(TypedDict):
    error: ErrorDetail
