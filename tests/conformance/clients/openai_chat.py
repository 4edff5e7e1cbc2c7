"""The `openai` SDK's chat.completions, streamed through `chat.completions.stream()`."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

import openai
import orjson

from tests.conformance.clients.base import Conversation
from tests.conformance.scenario import Answer, Call, ToolSpec

STOPS = {"stop": "end", "length": "max_tokens", "tool_calls": "tool_use"}


class OpenAIChat(Conversation):
    dialect = "openai_chat"
    rate_limited = openai.RateLimitError
    server_error = openai.InternalServerError
    in_stream_error = openai.APIError

    def __init__(self, sdk: openai.OpenAI, model: str, stream: bool) -> None:
        super().__init__(sdk, model, stream)
        self.messages: list[dict[str, Any]] = []
        self.options: dict[str, Any] = {}

    def system(self, text: str) -> None:
        self.messages.append({"role": "system", "content": text})

    def user(self, text: str, image: bytes | None = None) -> None:
        content: list[dict[str, Any]] = [{"type": "text", "text": text}]
        if image is not None:
            url = "data:image/png;base64," + base64.b64encode(image).decode()
            content.append({"type": "image_url", "image_url": {"url": url}})
        self.messages.append({"role": "user", "content": content})

    def tools(self, specs: Sequence[ToolSpec]) -> None:
        self.options["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": spec.name,
                    "description": spec.description,
                    "parameters": spec.parameters,
                    "strict": True,
                },
            }
            for spec in specs
        ]

    def think(self) -> None:
        self.options["reasoning_effort"] = "low"

    def send(self) -> Answer:
        self.ids: list[str] = []
        self.models: list[str] = []
        completion = self._complete()
        choice = completion.choices[0]
        message = choice.message
        # As clients of reasoning servers do, the whole message goes back, reasoning_content too.
        self.messages.append(message.model_dump(exclude_none=True, exclude={"parsed", "annotations"}))
        extra = message.model_extra or {}
        usage = completion.usage
        self.last = Answer(
            text=message.content or "",
            reasoning=extra.get("reasoning_content") or "",
            calls=[
                Call(call.id, call.function.name, orjson.loads(call.function.arguments))
                for call in message.tool_calls or []
            ],
            ids=self.ids,
            models=self.models,
            stop=STOPS.get(choice.finish_reason, choice.finish_reason),
            usage=None if usage is None else (usage.prompt_tokens, usage.completion_tokens),
        )
        return self.last

    def _complete(self) -> Any:
        if not self.stream:
            completion = self.sdk.chat.completions.create(
                model=self.model, messages=self.messages, **self.options
            )
            self.ids.append(completion.id)
            self.models.append(completion.model)
            return completion
        with self.sdk.chat.completions.stream(
            model=self.model, messages=self.messages, stream_options={"include_usage": True}, **self.options
        ) as stream:
            for event in stream:
                if event.type == "chunk":
                    self.ids.append(event.chunk.id)
                    self.models.append(event.chunk.model)
                elif event.type == "content.delta":
                    self.partial += event.delta
            try:
                completion = stream.get_final_completion()
            except openai.LengthFinishReasonError as cut:
                # The stream helper refuses to hand over a completion cut by max_tokens.
                completion = cut.completion
        assert completion.usage is not None
        return completion

    def answer_calls(self, results: Mapping[str, str]) -> None:
        assert self.last is not None
        for call in self.last.calls:
            self.messages.append({"role": "tool", "tool_call_id": call.id, "content": results[call.name]})

    def status(self, error: Exception) -> int:
        assert isinstance(error, openai.APIStatusError)
        return error.status_code

    def retry_after(self, error: Exception) -> float | None:
        assert isinstance(error, openai.APIStatusError)
        value = error.response.headers.get("retry-after")
        return None if value is None else float(value)

    def stream_error_text(self, error: Exception) -> str:
        assert isinstance(error, openai.APIError) and not isinstance(error, openai.APIStatusError)
        return error.message
