"""A fake xAI Responses upstream: OpenAI's Responses fake (bearer auth, same wire), plus
what xAI refuses (upstreams.md §6): fields it has no use for, and a reasoning effort on a
model that takes none or at a level it does not offer. Its images API is xAI's
(`fake_images`), its image URLs served here."""

from __future__ import annotations

from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes import OpenAIResponsesFake, Rejected
from tests.fakes.respond import Frames
from tests.fakes.script import RecordedRequest
from tests.providers.xai import fake_images

REFUSED = ("stop", "previous_response_id", "prompt_cache_retention", "safety_identifier", "stream_options")
# Written from xAI's reasoning guide, not from dragoman's table.
EFFORT_LEVELS = {"grok-4.5": {"low", "medium", "high"}, "grok-4.3": {"none", "low", "medium", "high"}}


class XAIFake(OpenAIResponsesFake):
    default_key: ClassVar[str] = "xai-test-fake-key"
    default_models: ClassVar[tuple[str, ...]] = ("grok-4.5", "grok-4.3", "grok-4.20-reasoning")

    def __init__(self, key: str | None = None, models: list[str] | None = None) -> None:
        self.served_images: dict[str, bytes] = {}
        super().__init__(key, models)

    def reset(self) -> None:
        super().reset()
        self.served_images.clear()

    def routes(self) -> list[Route]:
        path = fake_images.IMAGE_PATH.format(name="{name}")
        return [*super().routes(), Route(path, self._served_image, methods=["GET"])]

    async def _images(self, request: Request) -> Frames:
        return await self.handle(
            request,
            lambda body, record: fake_images.validate(body),
            lambda body, record, reply: self.whole(
                fake_images.answer(body, self.url, self.served_images), reply
            ),
        )

    async def _image_edits(self, request: Request) -> Frames:
        return await self.handle(
            request,
            lambda body, record: fake_images.validate_edit(body),
            lambda body, record, reply: self.whole(
                fake_images.answer_edit(body, self.url, self.served_images), reply
            ),
        )

    def decode(self, record: RecordedRequest) -> Any:
        # xAI's API reads JSON only: its edits take no multipart form, unlike OpenAI's.
        if (record.header("content-type") or "").startswith("multipart/form-data"):
            raise Rejected("Invalid request body: expected a JSON object.")
        return super().decode(record)

    async def _served_image(self, request: Request) -> Response:
        image = self.served_images.get(request.path_params["name"])
        if image is None:
            return Response(status_code=404)
        return Response(image, media_type="image/png")

    def _validate(self, body: Any, record: RecordedRequest) -> None:
        if isinstance(body, dict):
            _refuse_fields(body)
            _check_effort(body)
        super()._validate(body, record)


def _refuse_fields(body: dict[str, Any]) -> None:
    for name in REFUSED:
        if name in body:
            raise Rejected(f"Argument not supported: {name}", param=name)
    if body.get("service_tier") not in (None, "default"):
        raise Rejected("Argument not supported: service_tier", param="service_tier")
    if "tool_choice" in body and not body.get("tools"):
        raise Rejected("tool_choice is only allowed when tools are specified", param="tool_choice")


def _check_effort(body: dict[str, Any]) -> None:
    reasoning = body.get("reasoning") or {}
    if "effort" not in reasoning:
        return
    levels = EFFORT_LEVELS.get(body.get("model", ""))
    if levels is None:
        raise Rejected(
            f"Model {body.get('model')} does not support parameter reasoningEffort.", param="reasoning"
        )
    if reasoning["effort"] not in levels:
        raise Rejected(f"Invalid reasoning effort {reasoning['effort']!r}", param="reasoning.effort")


def xai_provider(fake: XAIFake) -> dict[str, Any]:
    """A dragoman provider of kind xai at the fake."""
    return {"grok": {"kind": "xai", "base_url": fake.base_url, "api_key": fake.key}}
