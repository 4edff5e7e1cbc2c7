"""`POST /v1/images/generations` through the official `openai` SDK: an image model of an
OpenAI API provider (the fake at its address) generates; any other model is a 400 that
names the models that can."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import openai
import pytest

from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import Failure, Reply, Usage
from tests.gateway import MODEL_OF, providers_for, serve_gateway

IMAGE_MODEL = "gpt-image-2"


def _client(root: str) -> openai.OpenAI:
    return openai.OpenAI(api_key="unused", base_url=root + "/v1", max_retries=0)


@pytest.fixture
def client(fakes: FakeUpstreams) -> Iterator[openai.OpenAI]:
    providers = providers_for(fakes)
    openai_api = providers["up_openai_responses"]
    providers["up_openai_responses"] = {**openai_api, "kind": "openai", "models": ["gpt-5", IMAGE_MODEL]}
    with serve_gateway(fakes, providers=providers) as root, _client(root) as client:
        yield client


def test_an_image_model_generates(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    fake = fakes["openai_responses"]
    fake.script(Reply(usage=Usage(input=12, output=1056)))
    made = client.images.generate(model=IMAGE_MODEL, prompt="a red fox in snow", n=2, size="1024x1024")
    assert made.data is not None and len(made.data) == 2
    image = base64.b64decode(made.data[0].b64_json or "")
    assert image.startswith(b"\x89PNG") and b"a red fox in snow" in image
    assert made.usage is not None and made.usage.output_tokens == 1056
    assert fake.last.path == "/v1/images/generations" and fake.last_json["model"] == IMAGE_MODEL


def test_the_upstreams_refusal_reaches_the_client(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    refusal = Failure(400, "Your request was rejected by the safety system.")
    fakes["openai_responses"].script(Reply(error=refusal))
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model=IMAGE_MODEL, prompt="something")
    assert "safety system" in caught.value.message


def test_a_text_model_is_a_400_naming_the_image_models(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model=MODEL_OF["anthropic"], prompt="a fox")
    message = caught.value.message
    assert f"{MODEL_OF['anthropic']} does not generate images" in message and IMAGE_MODEL in message
    assert "gpt-image-2.6-flare" not in message  # only what is served here


def test_without_an_image_model_the_400_says_so(fakes: FakeUpstreams) -> None:
    with (
        serve_gateway(fakes) as root,
        _client(root) as client,
        pytest.raises(openai.BadRequestError) as caught,
    ):
        client.images.generate(model=MODEL_OF["openai_responses"], prompt="a fox")
    assert "No model served here generates images" in caught.value.message
