"""xAI's image models through `POST /v1/images/edits` and the official `openai` SDK: the
SDK's multipart form made xAI's JSON edit (the files as base64 data URIs, one as
`image`, two or three as `images`) on the xai kind's bearer key; what xAI cannot do (a
mask, more than three images, `size`) a 400 before anything is sent."""

from __future__ import annotations

import base64

import httpx
import openai
import pytest

from tests.fakes.openai_images import png
from tests.providers.xai.fake import XAIFake

MODEL = "grok-imagine-image-quality"
FOX = png("a fox")


def _sent_edits(xai: XAIFake) -> list[str]:
    return [r.path for r in xai.requests if r.method == "POST" and r.path == "/v1/images/edits"]


def test_an_edit_goes_to_xai_as_json_and_comes_back_inline(client: openai.OpenAI, xai: XAIFake) -> None:
    made = client.images.edit(
        model=MODEL, image=("fox.png", FOX, "image/png"), prompt="put a hat on it", response_format="b64_json"
    )
    assert made.data is not None and len(made.data) == 1
    assert b"put a hat on it (edited from 1)" in base64.b64decode(made.data[0].b64_json or "")
    assert xai.last.path == "/v1/images/edits"
    assert xai.last.header("authorization") == f"Bearer {xai.key}"
    assert xai.last.header("content-type") == "application/json"
    uri = "data:image/png;base64," + base64.b64encode(FOX).decode()
    assert xai.last_json == {
        "model": MODEL,
        "prompt": "put a hat on it",
        "response_format": "b64_json",
        "image": {"url": uri},
    }


def test_several_images_by_url_with_xais_own_fields(client: openai.OpenAI, xai: XAIFake) -> None:
    jpeg = b"\xff\xd8\xff\xe0" + b"jpeg bytes"
    made = client.images.edit(
        model=MODEL,
        image=[("fox.png", FOX, "application/octet-stream"), ("den.jpg", jpeg, "application/octet-stream")],
        prompt="the fox of <IMAGE_0> in the den of <IMAGE_1>",
        n=2,
        quality="medium",
        extra_body={"aspect_ratio": "16:9"},
    )
    assert made.data is not None and len(made.data) == 2 and made.data[1].url is not None
    assert b"(edited from 2)" in httpx.get(made.data[1].url).content
    sent = xai.last_json
    assert sent["n"] == 2 and sent["quality"] == "medium" and sent["aspect_ratio"] == "16:9"
    assert "image" not in sent
    assert [image["url"].partition(";")[0] for image in sent["images"]] == [
        "data:image/png",
        "data:image/jpeg",
    ]
    assert base64.b64decode(sent["images"][1]["url"].partition(",")[2]) == jpeg


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"mask": ("mask.png", png("mask"), "image/png")}, "mask: xAI image models are not sent a mask"),
        ({"size": "1024x1024"}, "size: xAI image models take aspect_ratio and resolution"),
        ({"image": [("f.png", FOX, "image/png")] * 4}, "at most 3 images a request, got 4"),
        ({"image": ("notes.txt", b"not an image", "text/plain")}, "'notes.txt' is not a PNG, JPEG or WebP"),
    ],
)
def test_what_xai_cannot_do_is_a_400_before_sending(
    client: openai.OpenAI, xai: XAIFake, extra: dict[str, object], named: str
) -> None:
    asked: dict[str, object] = {"image": ("fox.png", FOX, "image/png"), **extra}
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(model=MODEL, prompt="x", **asked)  # type: ignore[arg-type]
    assert named in caught.value.message
    assert _sent_edits(xai) == []


def test_what_xai_refuses_reaches_the_client(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(model=MODEL, image=("fox.png", FOX, "image/png"), prompt="x", n=11)
    assert "Invalid 'n'" in caught.value.message


def test_a_grok_text_model_is_a_400_naming_xais_image_models(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(model="grok-4.5", image=("fox.png", FOX, "image/png"), prompt="x")
    assert "grok-4.5 does not edit images" in caught.value.message
    assert "grok-imagine-image, grok-imagine-image-quality" in caught.value.message


def test_the_fake_refuses_a_form_as_xai_does(xai: XAIFake) -> None:
    files = {"image": ("fox.png", FOX, "image/png")}
    data = {"model": MODEL, "prompt": "x"}
    headers = {"authorization": f"Bearer {xai.key}"}
    response = httpx.post(xai.url + "/v1/images/edits", data=data, files=files, headers=headers)
    assert response.status_code == 400 and "expected a JSON object" in response.text
