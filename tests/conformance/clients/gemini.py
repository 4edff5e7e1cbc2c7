"""The `google-genai` SDK: models.generate_content / generate_content_stream.

History follows the SDK's documented loop: the model's Content goes back as received (for
a stream, every chunk's parts joined into one Content), results as function responses
matched by name, as most Gemini callers send them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from google import genai
from google.genai import errors, types

from tests.conformance.clients.base import Conversation
from tests.conformance.scenario import Answer, Call, ToolSpec

RPC_RETRY = "type.googleapis.com/google.rpc.RetryInfo"
STOPS = {"STOP": "end", "MAX_TOKENS": "max_tokens"}


def _usage(metadata: types.GenerateContentResponseUsageMetadata | None) -> tuple[int, int] | None:
    if metadata is None:
        return None
    output = (metadata.candidates_token_count or 0) + (metadata.thoughts_token_count or 0)
    return metadata.prompt_token_count or 0, output


class Gemini(Conversation):
    dialect = "gemini"
    rate_limited = errors.ClientError
    server_error = errors.ServerError
    # A `{"error": ...}` chunk raises the SDK's APIError subclass for its code.
    in_stream_error = errors.APIError

    def __init__(self, sdk: genai.Client, model: str, stream: bool) -> None:
        super().__init__(sdk, model, stream)
        self.contents: list[types.Content] = []
        self.config = types.GenerateContentConfig(
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True)
        )

    def system(self, text: str) -> None:
        self.config.system_instruction = text

    def user(self, text: str, image: bytes | None = None) -> None:
        parts = [types.Part.from_text(text=text)]
        if image is not None:
            parts.append(types.Part.from_bytes(data=image, mime_type="image/png"))
        self.contents.append(types.Content(role="user", parts=parts))

    def tools(self, specs: Sequence[ToolSpec]) -> None:
        declarations = [
            types.FunctionDeclaration(
                name=spec.name, description=spec.description, parameters_json_schema=spec.parameters
            )
            for spec in specs
        ]
        self.config.tools = [types.Tool(function_declarations=declarations)]

    def think(self) -> None:
        self.config.thinking_config = types.ThinkingConfig(include_thoughts=True, thinking_budget=1024)

    def send(self) -> Answer:
        self.ids: list[str] = []
        self.models: list[str] = []
        self.finish: str | None = None
        self.usage: types.GenerateContentResponseUsageMetadata | None = None
        content = self._content()
        self.contents.append(content)
        answer = Answer(ids=self.ids, usage=_usage(self.usage), models=self.models)
        for part in content.parts or []:
            if part.thought_signature:
                answer.signatures.append(part.thought_signature.decode("latin-1"))
            if part.function_call is not None:
                call = part.function_call
                answer.calls.append(Call(call.id, call.name or "", dict(call.args or {})))
            elif part.thought:
                answer.reasoning += part.text or ""
            elif part.text:
                answer.text += part.text
        # Gemini ends a turn of function calls with STOP; the calls say why it stopped.
        answer.stop = (
            "tool_use"
            if answer.calls and self.finish == "STOP"
            else STOPS.get(self.finish, self.finish or "")
        )
        self.last = answer
        return answer

    def _content(self) -> types.Content:
        if not self.stream:
            response = self.sdk.models.generate_content(
                model=self.model, contents=self.contents, config=self.config
            )
            assert response.candidates and response.candidates[0].content is not None
            self.ids.append(response.response_id or "")
            self.models.append(response.model_version or "")
            self._outcome(response)
            return response.candidates[0].content
        parts: list[types.Part] = []
        for chunk in self._chunks():
            self.ids.append(chunk.response_id or "")
            self.models.append(chunk.model_version or "")
            self._outcome(chunk)
            content = chunk.candidates[0].content if chunk.candidates else None
            for part in content.parts or [] if content is not None else []:
                if part.text and not part.thought:
                    self.partial += part.text
                parts.append(part)
        return types.Content(role="model", parts=parts)

    def _outcome(self, response: types.GenerateContentResponse) -> None:
        """The finish reason and usage, from whichever chunk carries them (the last does)."""
        reason = response.candidates[0].finish_reason if response.candidates else None
        if reason is not None:
            self.finish = reason.name
        if response.usage_metadata is not None:
            self.usage = response.usage_metadata

    def _chunks(self) -> Iterator[types.GenerateContentResponse]:
        return self.sdk.models.generate_content_stream(
            model=self.model, contents=self.contents, config=self.config
        )

    def answer_calls(self, results: Mapping[str, str]) -> None:
        assert self.last is not None
        parts = [
            types.Part.from_function_response(name=call.name, response={"result": results[call.name]})
            for call in self.last.calls
        ]
        self.contents.append(types.Content(role="user", parts=parts))

    def status(self, error: Exception) -> int:
        assert isinstance(error, errors.APIError)
        return int(error.code)

    def retry_after(self, error: Exception) -> float | None:
        """Gemini carries the delay in the body: error.details[RetryInfo].retryDelay ("7s")."""
        assert isinstance(error, errors.APIError)
        details: list[Any] = (error.details or {}).get("error", {}).get("details", [])
        for detail in details:
            if detail.get("@type") == RPC_RETRY:
                return float(detail["retryDelay"].removesuffix("s"))
        return None

    def stream_error_text(self, error: Exception) -> str:
        assert isinstance(error, errors.APIError)
        return str(error.message)
