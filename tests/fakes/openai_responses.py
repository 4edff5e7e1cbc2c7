"""Fake OpenAI Responses upstream: POST /v1/responses, /v1/responses/compact,
/v1/responses/input_tokens (the fake's own count, `token_count`), /v1/images/generations
and /v1/images/edits (`openai_images`), GET /v1/models.

Compaction: a request whose input ends with a `compaction_trigger` is answered with one
`compaction` item; `/v1/responses/compact` with the input's user messages and one. Its
`encrypted_content` is a token this fake issued, and the only kind it takes back.

Reasoning: a Reply with `thinking` yields a reasoning item; its summary carries the
thinking text only when the request asks `reasoning.summary`, and `encrypted_content` (a
token this fake remembers) only with `include: ["reasoning.encrypted_content"]`. A scripted
mid-stream Failure ends the stream with `response.failed` for a 5xx status, else an `error`
event.
"""

from __future__ import annotations

from typing import Any, ClassVar

from starlette.requests import Request
from starlette.routing import Route

from tests.fakes import openai_images as images
from tests.fakes.base import Rejected, new_id
from tests.fakes.openai_base import OpenAIFake, now
from tests.fakes.openai_responses_render import Rendering, usage
from tests.fakes.openai_responses_validate import validate
from tests.fakes.respond import Frames, json_answer, sse
from tests.fakes.script import RecordedRequest, Reply


class OpenAIResponsesFake(OpenAIFake):
    dialect: ClassVar[str] = "openai_responses"

    def __init__(self, key: str | None = None, models: list[str] | None = None) -> None:
        self.stored_reasoning: set[str] = set()
        # The ids of the responses answered with `store` not false.
        self.stored_responses: set[str] = set()
        super().__init__(key, models)

    def reset(self) -> None:
        super().reset()
        self.stored_reasoning.clear()
        self.stored_responses.clear()

    def routes(self) -> list[Route]:
        return [
            Route("/v1/responses", self._responses, methods=["POST"]),
            Route("/v1/responses/compact", self._compact, methods=["POST"]),
            Route("/v1/responses/input_tokens", self._input_tokens, methods=["POST"]),
            Route("/v1/images/generations", self._images, methods=["POST"]),
            Route("/v1/images/edits", self._image_edits, methods=["POST"]),
            *self.model_routes(),
        ]

    def max_output(self, body: Any) -> int | None:
        found = body.get("max_output_tokens")
        return found if isinstance(found, int) else None

    def too_long(self, tokens: int, window: int) -> Rejected:
        return Rejected(
            "Your input exceeds the context window of this model. Please adjust your input and try again.",
            param="input",
            reason="context_length_exceeded",
        )

    async def _responses(self, request: Request) -> Frames:
        return await self.handle(request, self._validate, self._answer)

    async def _images(self, request: Request) -> Frames:
        return await self.handle(
            request,
            lambda body, record: images.validate(body),
            lambda body, record, reply: self.whole(images.answer(body, reply), reply),
        )

    async def _image_edits(self, request: Request) -> Frames:
        return await self.handle(
            request,
            lambda form, record: images.validate_edit(form),
            lambda form, record, reply: self.whole(images.answer_edit(form, reply), reply),
        )

    def decode(self, record: RecordedRequest) -> Any:
        if (record.header("content-type") or "").startswith("multipart/form-data"):
            return images.read_form(record)  # an image edit's form
        return super().decode(record)

    async def _input_tokens(self, request: Request) -> Frames:
        body, rejected = await self.preflight(request, self._validate_count)
        if rejected is not None:
            return rejected
        answer = {"object": "response.input_tokens", "input_tokens": self.token_count(body)}
        return json_answer(answer, headers=self.response_headers())

    def _validate_count(self, body: Any, record: RecordedRequest) -> None:
        # input_tokens takes the prompt's fields only: nothing of sampling or delivery.
        for name in ("stream", "store", "include", "max_output_tokens", "background"):
            if isinstance(body, dict) and name in body:
                raise Rejected(f"Unknown parameter: '{name}'.", param=name)
        validate(body, self)

    async def _compact(self, request: Request) -> Frames:
        return await self.handle(request, self._validate_compact, self._compacted)

    def _validate_compact(self, body: Any, record: RecordedRequest) -> None:
        if isinstance(body, dict) and "stream" in body:
            raise Rejected("Unknown parameter: 'stream'.", param="stream")
        validate(body, self)

    def _compacted(self, body: dict[str, Any], record: RecordedRequest, reply: Reply) -> Frames:
        items = body.get("input") if isinstance(body.get("input"), list) else []
        kept = [i for i in items if i.get("type", "message") == "message" and i.get("role") == "user"]
        item = {"id": new_id("cmp_"), "type": "compaction", "encrypted_content": self.issue_signature()}
        answer = {
            "id": new_id("resp_"),
            "object": "response.compaction",
            "created_at": now(),
            "output": [*kept, item],
            "usage": usage(reply),
        }
        return self.whole(answer, reply)

    def _validate(self, body: Any, record: RecordedRequest) -> None:
        validate(body, self)

    def _answer(self, body: dict[str, Any], record: RecordedRequest, reply: Reply) -> Frames:
        rendering = Rendering(body, reply, self.issue_signature)
        if body.get("store", True) is not False:
            self.stored_reasoning.update(i["id"] for i in rendering.items if i["type"] == "reasoning")
            self.stored_responses.add(rendering.id)
        if body.get("stream") is not True:
            return self.whole(rendering.response(), reply)
        failure, failed = None, False
        if reply.error is not None:
            error = self.as_rejected(reply.error)
            failure = {"code": self.code_for(error) or error.kind, "message": error.message}
            if isinstance(reply.error.body, dict):  # the provider's own event, verbatim (Codex)
                failure = reply.error.body
            failed = reply.error.status >= 500
        events = rendering.events(failure, failed)
        return self.frames([sse(payload, name) for name, payload in events], reply)
