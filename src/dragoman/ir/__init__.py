"""The canonical model every dialect converts to and from: pure values, no I/O.

A client request is parsed into an `ir.Request`; an upstream answer is parsed into a
stream of `ir.events`; `ir.response.accumulate` folds events into an `ir.Response`.
Nothing here imports anything else from dragoman but the secret mask every error
message passes through (`observe.redact`, see `ir.errors`).
"""

from dragoman.ir.errors import GatewayError
from dragoman.ir.events import Event, PartDelta, PartStart, PartStop, Start, Stop, StreamError, UsageUpdate
from dragoman.ir.messages import Document, Image, Message, Part, Text, Thinking, ToolCall, ToolResult
from dragoman.ir.request import Reasoning, Request, ResponseFormat
from dragoman.ir.response import Response, accumulate, replay
from dragoman.ir.tools import Tool, ToolChoice
from dragoman.ir.usage import Usage

__all__ = [
    "Document",
    "Event",
    "GatewayError",
    "Image",
    "Message",
    "Part",
    "PartDelta",
    "PartStart",
    "PartStop",
    "Reasoning",
    "Request",
    "Response",
    "ResponseFormat",
    "Start",
    "Stop",
    "StreamError",
    "Text",
    "Thinking",
    "Tool",
    "ToolCall",
    "ToolChoice",
    "ToolResult",
    "Usage",
    "UsageUpdate",
    "accumulate",
    "replay",
]
