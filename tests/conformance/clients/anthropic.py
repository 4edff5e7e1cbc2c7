"""The `anthropic` SDK's messages API, streamed through `messages.stream()`."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

import anthropic

from tests.conformance.clients.base import Conversation
from tests.conformance.scenario import Answer, Call, ToolSpec

STOPS = {"end_turn": "end", "max_tokens": "max_tokens", "tool_use": "tool_use"}


class Anthropic(Conversation):
    dialect = "anthropic"
    rate_limited = anthropic.RateLimitError
    server_error = anthropic.InternalServerError
    # An `event: error` raises a status error whose body is the error event.
    in_stream_error = anthropic.APIStatusError

    def __init__(self, sdk: anthropic.Anthropic, model: str, stream: bool) -> None:
        super().__init__(sdk, model, stream)
        self.messages: list[dict[str, Any]] = []
        self.options: dict[str, Any] = {"max_tokens": 1024}

    def system(self, text: str) -> None:
        self.options["system"] = text

    def user(self, text: str, image: bytes | None = None) -> None:
        content: list[dict[str, Any]] = [{"type": "text", "text": text}]
        if image is not None:
            data = base64.b64encode(image).decode()
            content.append(
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}
            )
        self.messages.append({"role": "user", "content": content})

    def tools(self, specs: Sequence[ToolSpec]) -> None:
        self.options["tools"] = [
            {"name": spec.name, "description": spec.description, "input_schema": spec.parameters}
            for spec in specs
        ]

    def think(self) -> None:
        self.options["thinking"] = {"type": "enabled", "budget_tokens": 1024}
        self.options["max_tokens"] = 4096

    def send(self) -> Answer:
        message = self._message()
        # The documented loop: the SDK's own content blocks go straight back.
        self.messages.append({"role": "assistant", "content": message.content})
        usage = message.usage
        cached = (usage.cache_read_input_tokens or 0) + (usage.cache_creation_input_tokens or 0)
        answer = Answer(
            ids=[message.id],
            models=[message.model],
            stop=STOPS.get(message.stop_reason, message.stop_reason),
            usage=(usage.input_tokens + cached, usage.output_tokens),
        )
        for block in message.content:
            if block.type == "text":
                answer.text += block.text
            elif block.type == "thinking":
                answer.reasoning += block.thinking
                answer.signatures.append(block.signature)
            elif block.type == "tool_use":
                answer.calls.append(Call(block.id, block.name, dict(block.input)))
        self.last = answer
        return answer

    def _message(self) -> Any:
        if not self.stream:
            return self.sdk.messages.create(model=self.model, messages=self.messages, **self.options)
        with self.sdk.messages.stream(model=self.model, messages=self.messages, **self.options) as stream:
            for event in stream:
                if event.type == "text":
                    self.partial += event.text
            return stream.get_final_message()

    def answer_calls(self, results: Mapping[str, str]) -> None:
        assert self.last is not None
        content = [
            {"type": "tool_result", "tool_use_id": call.id, "content": results[call.name]}
            for call in self.last.calls
        ]
        self.messages.append({"role": "user", "content": content})

    def status(self, error: Exception) -> int:
        assert isinstance(error, anthropic.APIStatusError)
        return error.status_code

    def retry_after(self, error: Exception) -> float | None:
        assert isinstance(error, anthropic.APIStatusError)
        value = error.response.headers.get("retry-after")
        return None if value is None else float(value)

    def stream_error_text(self, error: Exception) -> str:
        assert isinstance(error, anthropic.APIStatusError)
        body = error.body
        assert isinstance(body, dict) and body["type"] == "error", body
        return str(body["error"]["message"])
