"""The Responses `image_generation` tool through a real dragoman and the official `openai`
SDK: the upstream's `image_generation_call` (the Responses fake draws as OpenAI does)
reaches the client as that item, whole or streamed in OpenAI's event order, beside the
text; a stored answer keeps it. A Gemini image model serves the tool too (asked to draw,
its inlineData made the same item)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import openai
import pytest

from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import Call, Reply
from tests.gateway import MODEL_OF, serve_gateway

MODEL = MODEL_OF["openai_responses"]
TOOLS = [{"type": "image_generation"}]
DRAWS = Reply(text="Here it is.", tool_calls=[Call("image_generation", {"prompt": "a red fox in snow"})])


@pytest.fixture
def root(fakes: FakeUpstreams) -> Iterator[str]:
    with serve_gateway(fakes) as root:
        yield root


@pytest.fixture
def client(root: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(api_key="unused", base_url=root + "/v1", max_retries=0) as client:
        yield client


def _fox(result: str | None) -> bool:
    image = base64.b64decode(result or "")
    return image.startswith(b"\x89PNG") and b"a red fox in snow" in image


def test_the_drawn_image_comes_back_as_an_image_generation_call(
    client: openai.OpenAI, fakes: FakeUpstreams
) -> None:
    fakes.openai_responses.script(DRAWS)
    answer = client.responses.create(model=MODEL, input="draw a fox", tools=TOOLS)  # type: ignore[list-item]
    calls = [item for item in answer.output if item.type == "image_generation_call"]
    assert len(calls) == 1 and calls[0].status == "completed" and _fox(calls[0].result)
    assert calls[0].output_format == "png" and calls[0].id.startswith("ig_")
    assert answer.output_text == "Here it is."
    assert fakes.openai_responses.last_json["tools"] == TOOLS


def test_streamed_in_openais_order(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    fakes.openai_responses.script(DRAWS)
    with client.responses.stream(model=MODEL, input="draw a fox", tools=TOOLS) as stream:  # type: ignore[list-item]
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    items = [
        kind for kind in kinds if "image_generation_call" in kind or kind.startswith("response.output_item")
    ]
    assert items[-5:] == [
        "response.output_item.added",
        "response.image_generation_call.in_progress",
        "response.image_generation_call.generating",
        "response.image_generation_call.completed",
        "response.output_item.done",
    ]
    calls = [item for item in final.output if item.type == "image_generation_call"]
    assert len(calls) == 1 and _fox(calls[0].result)


def test_a_stored_answer_keeps_the_image(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    fakes.openai_responses.script(DRAWS)
    answer = client.responses.create(model=MODEL, input="draw a fox", tools=TOOLS)  # type: ignore[list-item]
    kept = client.responses.retrieve(answer.id)
    assert any(item.type == "image_generation_call" and _fox(item.result) for item in kept.output)


def test_a_gemini_image_model_serves_the_tool(fakes: FakeUpstreams) -> None:
    gemini = fakes.gemini
    models = ["gemini-2.5-flash", "gemini-2.5-flash-image"]
    provider = {"kind": "gemini", "base_url": gemini.base_url, "api_key": gemini.key, "models": models}
    with (
        serve_gateway(fakes, providers={"gemini": provider}) as root,
        openai.OpenAI(api_key="unused", base_url=root + "/v1", max_retries=0) as client,
    ):
        answer = client.responses.create(model=models[1], input="a red fox in snow", tools=TOOLS)  # type: ignore[list-item]
    calls = [item for item in answer.output if item.type == "image_generation_call"]
    assert len(calls) == 1 and _fox(calls[0].result)
    assert gemini.last_json["generationConfig"]["responseModalities"] == ["TEXT", "IMAGE"]
