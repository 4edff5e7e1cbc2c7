"""The `openai` SDK's responses API, streamed through `responses.stream()`.

Stateless, as Codex runs it: `store=False`, reasoning carried back as its encrypted content.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

import openai
import orjson

from tests.conformance.clients.base import Conversation, StreamFailed
from tests.conformance.scenario import Answer, Call, ToolSpec

FAILURES = ("error", "response.failed")


class OpenAIResponses(Conversation):
    dialect = "openai_responses"
    rate_limited = openai.RateLimitError
    server_error = openai.InternalServerError
    in_stream_error = StreamFailed

    def __init__(self, sdk: openai.OpenAI, model: str, stream: bool) -> None:
        super().__init__(sdk, model, stream)
        self.input: list[Any] = []
        self.options: dict[str, Any] = {"store": False}

    def system(self, text: str) -> None:
        self.options["instructions"] = text

    def user(self, text: str, image: bytes | None = None) -> None:
        content: list[dict[str, Any]] = [{"type": "input_text", "text": text}]
        if image is not None:
            url = "data:image/png;base64," + base64.b64encode(image).decode()
            content.append({"type": "input_image", "image_url": url, "detail": "auto"})
        self.input.append({"role": "user", "content": content})

    def tools(self, specs: Sequence[ToolSpec]) -> None:
        self.options["tools"] = [
            {
                "type": "function",
                "name": spec.name,
                "description": spec.description,
                "parameters": spec.parameters,
                "strict": True,
            }
            for spec in specs
        ]

    def think(self) -> None:
        self.options["reasoning"] = {"effort": "low", "summary": "auto"}
        self.options["include"] = ["reasoning.encrypted_content"]

    def send(self) -> Answer:
        self.ids: list[str] = []
        response = self._respond()
        self.input += [item.model_dump(exclude_none=True) for item in response.output]
        usage = response.usage
        answer = Answer(
            text=response.output_text,
            ids=[*self.ids, response.id],
            models=[response.model],
            stop=_stop(response),
            usage=None if usage is None else (usage.input_tokens, usage.output_tokens),
        )
        for item in response.output:
            if item.type == "reasoning":
                answer.reasoning += "".join(part.text for part in item.summary)
                if item.encrypted_content:
                    answer.signatures.append(item.encrypted_content)
            elif item.type == "function_call":
                answer.calls.append(Call(item.call_id, item.name, orjson.loads(item.arguments)))
        self.last = answer
        return answer

    def _respond(self) -> Any:
        if not self.stream:
            return self.sdk.responses.create(model=self.model, input=self.input, **self.options)
        incomplete = None
        with self.sdk.responses.stream(model=self.model, input=self.input, **self.options) as stream:
            for event in stream:
                if hasattr(event, "response"):
                    self.ids.append(event.response.id)
                if event.type == "response.output_text.delta":
                    self.partial += event.delta
                elif event.type == "response.incomplete":
                    incomplete = event.response
                elif event.type in FAILURES:
                    raise StreamFailed(event)
            # The helper's final response is only ever a completed one; OpenAI ends a
            # response cut by max_output_tokens with `response.incomplete` instead.
            return incomplete if incomplete is not None else stream.get_final_response()

    def answer_calls(self, results: Mapping[str, str]) -> None:
        assert self.last is not None
        for call in self.last.calls:
            self.input.append(
                {"type": "function_call_output", "call_id": call.id, "output": results[call.name]}
            )

    def status(self, error: Exception) -> int:
        assert isinstance(error, openai.APIStatusError)
        return error.status_code

    def retry_after(self, error: Exception) -> float | None:
        assert isinstance(error, openai.APIStatusError)
        value = error.response.headers.get("retry-after")
        return None if value is None else float(value)

    def stream_error_text(self, error: Exception) -> str:
        assert isinstance(error, StreamFailed)
        event = error.event
        if event.type == "error":
            return str(event.message)
        assert event.response.status == "failed" and event.response.error is not None
        return str(event.response.error.message)


def _stop(response: Any) -> str:
    """Responses has no stop reason: an incomplete status says why, function calls say tool use."""
    if response.status == "incomplete":
        reason = response.incomplete_details.reason if response.incomplete_details else None
        return "max_tokens" if reason == "max_output_tokens" else str(reason)
    if any(item.type == "function_call" for item in response.output):
        return "tool_use"
    return "end" if response.status == "completed" else str(response.status)
