"""A Gemini image model through `POST /v1/images/generations` and the official `openai`
SDK: asked through the Gemini fake's generateContent (TEXT and IMAGE, the size as the
nearest aspect ratio), its inline image and token counts returned as OpenAI's images
answer; what Gemini cannot honour, and an answer without an image, are 400s."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import openai
import pytest

from dragoman.ir.errors import InvalidRequest
from dragoman.server.images_gemini import aspect_ratio
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.openai_images import png
from tests.fakes.script import Failure, Reply, Usage
from tests.gateway import serve_gateway

MODEL = "gemini-2.5-flash-image"


@pytest.fixture
def client(fakes: FakeUpstreams) -> Iterator[openai.OpenAI]:
    gemini = fakes.gemini
    provider = {"kind": "gemini", "base_url": gemini.base_url, "api_key": gemini.key}
    with (
        serve_gateway(
            fakes, providers={"gemini": {**provider, "models": ["gemini-2.5-flash", MODEL]}}
        ) as root,
        openai.OpenAI(api_key="unused", base_url=root + "/v1", max_retries=0) as client,
    ):
        yield client


def test_a_gemini_image_model_draws(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    fakes.gemini.script(Reply(text="Here is your fox.", usage=Usage(input=9, output=1290)))
    made = client.images.generate(model=MODEL, prompt="a red fox in snow", size="1536x1024")
    assert made.data is not None and len(made.data) == 1
    image = base64.b64decode(made.data[0].b64_json or "")
    assert image.startswith(b"\x89PNG") and b"a red fox in snow" in image
    assert made.output_format == "png"
    assert made.usage is not None and (made.usage.input_tokens, made.usage.output_tokens) == (9, 1290)
    sent = fakes.gemini.last
    assert sent.path == f"/v1beta/models/{MODEL}:generateContent"
    assert sent.header("x-goog-api-key") == fakes.gemini.key
    assert sent.json["generationConfig"] == {
        "responseModalities": ["TEXT", "IMAGE"],
        "imageConfig": {"aspectRatio": "3:2"},
    }


@pytest.mark.parametrize(
    ("asked", "says"),
    [
        ({"n": 2}, "n: Gemini image models make one image a request"),
        ({"response_format": "url"}, "answer b64_json only"),
        ({"quality": "high"}, "quality: Gemini image models take no quality"),
    ],
)
def test_what_gemini_cannot_do_is_a_400_unsent(
    client: openai.OpenAI, fakes: FakeUpstreams, asked: dict[str, object], says: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model=MODEL, prompt="a fox", **asked)  # type: ignore[call-overload]
    assert says in caught.value.message
    assert not fakes.gemini.requests


def test_a_refusal_is_a_400_saying_why(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    fakes.gemini.script(Reply(text="I can't draw that.", stop="refusal"))
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model=MODEL, prompt="something")
    assert f"{MODEL} made no image (SAFETY): I can't draw that." in caught.value.message


def test_geminis_rate_limit_is_openais(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    fakes.gemini.script(Reply(error=Failure(429, "Resource has been exhausted (e.g. check quota).")))
    with pytest.raises(openai.RateLimitError):
        client.images.generate(model=MODEL, prompt="a fox")


def test_a_gemini_text_model_is_a_400_naming_the_image_models(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="gemini-2.5-flash", prompt="a fox")
    assert "gemini-2.5-flash does not generate images" in caught.value.message
    assert MODEL in caught.value.message


def test_a_gemini_image_model_edits_the_images_given(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    fox = png("a fox")
    made = client.images.edit(model=MODEL, image=("fox", fox, "application/octet-stream"), prompt="add snow")
    assert made.data is not None and b"add snow" in base64.b64decode(made.data[0].b64_json or "")
    parts = fakes.gemini.last_json["contents"][0]["parts"]
    assert parts == [
        {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(fox).decode()}},
        {"text": "add snow"},
    ]


FOX = ("fox.png", png("a fox"), "image/png")
WORDS = ("notes.txt", b"plain words", "text/plain")


@pytest.mark.parametrize(
    ("image", "mask", "says"),
    [
        (FOX, ("mask.png", png("m"), "image/png"), "mask: Gemini image models take no mask"),
        (WORDS, None, "image: 'notes.txt' is not a PNG, JPEG or WebP image"),
    ],
)
def test_an_edit_gemini_cannot_read_is_a_400_unsent(
    client: openai.OpenAI, fakes: FakeUpstreams, image: object, mask: object, says: str
) -> None:
    masked = {"mask": mask} if mask is not None else {}
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(model=MODEL, image=image, prompt="add snow", **masked)  # type: ignore[arg-type]
    assert says in caught.value.message
    assert not fakes.gemini.requests


@pytest.mark.parametrize(
    ("size", "ratio"),
    [(None, None), ("auto", None), ("1024x1024", "1:1"), ("1024x1536", "2:3"), ("1792x1024", "16:9")],
)
def test_a_size_is_the_nearest_aspect_ratio(size: str | None, ratio: str | None) -> None:
    assert aspect_ratio(size) == ratio


def test_a_size_not_width_by_height_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="WIDTHxHEIGHT"):
        aspect_ratio("large")
