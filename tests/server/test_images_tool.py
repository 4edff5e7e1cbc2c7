"""`POST /v1/images/generations` drawn by Codex's image tool on a ChatGPT login, through
the official `openai` SDK: the fake Codex backend is asked to draw with the hosted
`image_generation` tool (the images API's settings as the tool's, a call required), and
its `image_generation_call` comes back as OpenAI's images answer. A Responses client
offering the tool itself gets Codex's item as it came."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from tests.fakes import Call, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.subscriptions import Subscription, store_login, subscription

MODEL = "gpt-5.5"


@pytest.fixture
def codex() -> Iterator[Subscription]:
    with subscription("codex") as sub:
        yield sub


@pytest.fixture
def client(codex: Subscription, dragoman_home: Path, fakes: FakeUpstreams) -> Iterator[openai.OpenAI]:
    store_login(dragoman_home, codex)
    with (
        serve_gateway(fakes, providers={}, oauth=codex.settings()) as root,
        openai.OpenAI(api_key="unused", base_url=root + "/v1", max_retries=0) as client,
    ):
        yield client


def test_codex_draws_with_its_image_tool(client: openai.OpenAI, codex: Subscription) -> None:
    codex.backend.script(Reply(tool_calls=[Call("image_generation", {"prompt": "a red fox in snow"})]))
    made = client.images.generate(model=MODEL, prompt="a red fox in snow", size="1536x1024", quality="high")
    assert made.data is not None and len(made.data) == 1
    image = base64.b64decode(made.data[0].b64_json or "")
    assert image.startswith(b"\x89PNG") and b"a red fox in snow" in image
    sent = codex.backend.last_json
    assert sent["tools"] == [{"type": "image_generation", "size": "1536x1024", "quality": "high"}]
    assert sent["tool_choice"] == "required" and sent["model"] == MODEL
    assert sent["input"][-1]["content"][0]["text"] == "a red fox in snow"


def test_an_answer_without_an_image_says_what_the_model_said(
    client: openai.OpenAI, codex: Subscription
) -> None:
    codex.backend.script(Reply(text="I would rather not."))
    with pytest.raises(openai.InternalServerError) as caught:
        client.images.generate(model=MODEL, prompt="something")
    assert f"{MODEL} drew no image: I would rather not." in caught.value.message


def test_more_than_one_image_is_a_400_unsent(client: openai.OpenAI, codex: Subscription) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model=MODEL, prompt="a fox", n=2)
    assert "draws one image a request" in caught.value.message
    assert not codex.backend.requests


def test_a_responses_client_offering_the_tool_gets_codexs_image(
    client: openai.OpenAI, codex: Subscription
) -> None:
    codex.backend.script(Reply(tool_calls=[Call("image_generation", {"prompt": "a red fox in snow"})]))
    tools = [{"type": "image_generation", "output_format": "png"}]
    answer = client.responses.create(model=MODEL, input="draw a red fox in snow", tools=tools)  # type: ignore[list-item]
    calls = [item for item in answer.output if item.type == "image_generation_call"]
    assert len(calls) == 1 and b"a red fox in snow" in base64.b64decode(calls[0].result or "")
    assert codex.backend.last_json["tools"] == tools
