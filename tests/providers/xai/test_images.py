"""xAI's image models through `POST /v1/images/generations` and the official `openai`
SDK: sent to xAI's images API with the xai kind's bearer key, xAI's own fields passed
on, its URLs and inline images returned as they came, its refusals in OpenAI's shape."""

from __future__ import annotations

import base64

import httpx
import openai
import pytest

from tests.providers.xai.fake import XAIFake

MODEL = "grok-imagine-image"


def test_an_image_by_url_is_xais_own(client: openai.OpenAI, xai: XAIFake) -> None:
    made = client.images.generate(
        model=MODEL, prompt="a lighthouse at dusk", extra_body={"aspect_ratio": "16:9"}
    )
    assert made.data is not None and len(made.data) == 1 and made.data[0].url is not None
    image = httpx.get(made.data[0].url).content
    assert image.startswith(b"\x89PNG") and b"a lighthouse at dusk" in image
    assert xai.last.path == "/v1/images/generations"
    assert xai.last.header("authorization") == f"Bearer {xai.key}"
    assert xai.last_json == {"model": MODEL, "prompt": "a lighthouse at dusk", "aspect_ratio": "16:9"}


def test_inline_images(client: openai.OpenAI) -> None:
    made = client.images.generate(model=MODEL, prompt="two moons", n=2, response_format="b64_json")
    assert made.data is not None and len(made.data) == 2
    assert b"two moons" in base64.b64decode(made.data[1].b64_json or "")


def test_what_xai_refuses_reaches_the_client(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model=MODEL, prompt="a fox", size="1024x1024")
    assert "Argument not supported: size" in caught.value.message


def test_a_grok_text_model_is_a_400_naming_xais_image_models(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="grok-4.5", prompt="a fox")
    assert "grok-4.5 does not generate images" in caught.value.message
    assert "grok-imagine-image-quality" in caught.value.message
