"""Fake OpenAI Chat Completions upstream: POST /v1/chat/completions, GET /v1/models.

Streams as api.openai.com does: `data: <chunk>` events with no `event:` line, a role chunk
first, a finish chunk, the usage chunk (`choices: []`) only with
`stream_options.include_usage`, then `data: [DONE]`. Parallel tool calls interleave their
argument fragments, which real servers may do and clients must handle by `index`.
Chat Completions has no thinking on the wire: `Reply.thinking` only counts in usage.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import orjson
from starlette.requests import Request
from starlette.routing import Route

from tests.fakes.base import Rejected, new_id, new_token
from tests.fakes.openai_base import OpenAIFake, now
from tests.fakes.openai_chat_validate import validate
from tests.fakes.respond import Frames, sse
from tests.fakes.script import Call, RecordedRequest, Reply, split

FINISH = {"end": "stop", "max_tokens": "length", "refusal": "content_filter"}


def finish_reason(reply: Reply) -> str:
    if reply.tool_calls and reply.stop == "end":
        return "tool_calls"
    return FINISH[reply.stop]


def usage(reply: Reply) -> dict[str, Any]:
    u = reply.usage
    return {
        "prompt_tokens": u.input,
        "completion_tokens": u.output,
        "total_tokens": u.input + u.output,
        "prompt_tokens_details": {"cached_tokens": u.cached, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": u.reasoning,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def call_ids(reply: Reply) -> list[str]:
    return [call.id or new_id("call_") for call in reply.tool_calls]


def arguments(call: Call) -> str:
    return orjson.dumps(call.args).decode()


class OpenAIChatFake(OpenAIFake):
    dialect: ClassVar[str] = "openai_chat"

    def routes(self) -> list[Route]:
        return [
            Route("/v1/chat/completions", self._completions, methods=["POST"]),
            *self.model_routes(),
        ]

    def max_output(self, body: Any) -> int | None:
        found = body.get("max_completion_tokens") or body.get("max_tokens")
        return found if isinstance(found, int) else None

    def too_long(self, tokens: int, window: int) -> Rejected:
        return Rejected(
            f"This model's maximum context length is {window} tokens. However, your messages resulted "
            f"in {tokens} tokens. Please reduce the length of the messages.",
            param="messages",
            reason="context_length_exceeded",
        )

    async def _completions(self, request: Request) -> Frames:
        return await self.handle(request, validate, self._answer)

    def _answer(self, body: dict[str, Any], record: RecordedRequest, reply: Reply) -> Frames:
        if body.get("stream") is True:
            return self.frames(list(self._stream(body, reply)), reply)
        return self.whole(self._completion(body, reply), reply)

    def _completion(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": reply.text if reply.text is not None or not reply.tool_calls else None,
            "refusal": None,
            "annotations": [],
        }
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": arguments(call)},
                }
                for call, call_id in zip(reply.tool_calls, call_ids(reply), strict=True)
            ]
        return {
            "id": new_id("chatcmpl-"),
            "object": "chat.completion",
            "created": now(),
            "model": body["model"],
            "system_fingerprint": "fp_fake",
            "service_tier": "default",
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason(reply)}
            ],
            "usage": usage(reply),
        }

    def _stream(self, body: dict[str, Any], reply: Reply) -> Iterator[bytes]:
        options = body.get("stream_options") or {}
        chunker = _Chunker(body["model"], bool(options.get("include_usage")))
        yield sse(chunker.chunk({"role": "assistant", "content": "", "refusal": None}))
        for piece in split(reply.text or "", reply.chunks) if reply.text else []:
            yield sse(chunker.chunk({"content": piece}, obfuscate=True))
        for delta in _tool_deltas(reply):
            yield sse(chunker.chunk({"tool_calls": delta}))
        failure = reply.error
        if failure is not None:
            yield sse(self.error_body(self.as_rejected(failure)))
            return
        yield sse(chunker.chunk({}, finish=finish_reason(reply)))
        if chunker.with_usage:
            yield sse({**chunker.head, "choices": [], "usage": usage(reply)})
        yield b"data: [DONE]\n\n"


def _tool_deltas(reply: Reply) -> Iterator[list[dict[str, Any]]]:
    """First every call's opening fragment, then argument pieces round-robin across calls."""
    ids = call_ids(reply)
    pieces = [split(arguments(call), reply.chunks) for call in reply.tool_calls]
    for index, (call, call_id) in enumerate(zip(reply.tool_calls, ids, strict=True)):
        function = {"name": call.name, "arguments": ""}
        yield [{"index": index, "id": call_id, "type": "function", "function": function}]
    for step in range(max((len(p) for p in pieces), default=0)):
        for index, call_pieces in enumerate(pieces):
            if step < len(call_pieces):
                yield [{"index": index, "function": {"arguments": call_pieces[step]}}]


class _Chunker:
    def __init__(self, model: str, with_usage: bool) -> None:
        self.with_usage = with_usage
        self.head = {
            "id": new_id("chatcmpl-"),
            "object": "chat.completion.chunk",
            "created": now(),
            "model": model,
            "system_fingerprint": "fp_fake",
            "service_tier": "default",
        }

    def chunk(
        self, delta: dict[str, Any], finish: str | None = None, obfuscate: bool = False
    ) -> dict[str, Any]:
        chunk = {
            **self.head,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if self.with_usage:
            chunk["usage"] = None
        if obfuscate:
            # api.openai.com pads content chunks with random text by default; clients must ignore it.
            chunk["obfuscation"] = new_token(6)
        return chunk
