"""`POST /v1/images/generations` and `/v1/images/edits` through the official `openai` SDK:
an image model of an OpenAI API provider (the fake at its address) generates, and edits
the images of a form passed on byte for byte; any other model is a 400 that names the
models that can."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import openai
import pytest

from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.openai_images import png
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


def test_an_edit_passes_its_images_on_byte_for_byte(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    first, second = png("a fox") + b"\r\n--not-a-boundary\r\n", png("snow")
    made = client.images.edit(
        model=IMAGE_MODEL,
        image=[("fox.png", first, "image/png"), ("snow.png", second, "image/png")],
        prompt="put the fox in the snow",
        n=1,
    )
    assert made.data is not None
    image = base64.b64decode(made.data[0].b64_json or "")
    assert f"put the fox in the snow (edited {len(first) + len(second)} image bytes)".encode() in image
    sent = fakes["openai_responses"].last
    assert sent.path == "/v1/images/edits" and sent.header("content-type", "").startswith(
        "multipart/form-data"
    )


def test_an_edit_the_upstream_refuses_reaches_the_client(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(model=IMAGE_MODEL, image=("fox.png", png("a fox"), "image/png"), prompt="x", n=11)
    assert "Invalid 'n'" in caught.value.message


def test_an_edit_by_a_text_model_is_a_400_naming_the_models_that_edit(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(
            model=MODEL_OF["anthropic"], image=("fox.png", png("a fox"), "image/png"), prompt="x"
        )
    assert f"{MODEL_OF['anthropic']} does not edit images" in caught.value.message
    assert IMAGE_MODEL in caught.value.message


def test_an_edit_that_is_no_form_is_a_400(client: openai.OpenAI) -> None:
    response = httpx.post(str(client.base_url) + "images/edits", json={"model": IMAGE_MODEL, "prompt": "x"})
    assert response.status_code == 400 and "multipart/form-data" in response.json()["error"]["message"]
