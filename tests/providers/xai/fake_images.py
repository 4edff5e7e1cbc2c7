"""xAI's images API as the xAI fake serves it: POST /v1/images/generations, OpenAI's
route with xAI's own fields (as gateways relaying to api.x.ai document them, checked
2026-12): `n` 1-10, `response_format` url (the default) or b64_json, `aspect_ratio`,
`resolution`, `quality` (low, medium, high; xAI's API reference as mirrored by
withone.ai); OpenAI's `size` and `style` are refused ("Argument not
supported: size"). Each image is a tiny PNG holding the prompt, by URL (served by the
fake, as xAI serves its own) or inline; no usage, as xAI's answer has none.

POST /v1/images/edits takes JSON only (docs.x.ai's image editing guide and xAI's API
reference, checked 2026-12): the same fields, and the source image as `image: {url}`
or up to three as `images: [{url}, ...]`, never both; a URL is public or a base64 data
URI. A multipart form is refused. The answer is shaped as a generation's, each image's
text saying how many sources it was made from."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from tests.fakes.base import Rejected, new_id, words
from tests.fakes.openai_base import expect_type, missing, now
from tests.fakes.openai_images import png

FIELDS = words("model prompt n response_format aspect_ratio resolution quality user")
IMAGE_PATH = "/xai-imgen/{name}"
MOST_SOURCES = 3


def validate(body: Any, fields: frozenset[str] = FIELDS) -> None:
    if not isinstance(body, dict):
        raise Rejected("Invalid request body: expected a JSON object.")
    for name in body:
        if name not in fields:
            raise Rejected(f"Argument not supported: {name}", param=name)
    for name in ("model", "prompt"):
        if name not in body:
            raise missing(name)
        expect_type(body[name], str, "a string", name)
    n = body.get("n", 1)
    if not isinstance(n, int) or not 1 <= n <= 10:
        raise Rejected(f"Invalid 'n': integer out of range [1, 10], got {n!r}.", param="n")
    if body.get("quality", "high") not in ("low", "medium", "high"):
        raise Rejected("quality must be one of low, medium, high", param="quality")
    if body.get("response_format", "url") not in ("url", "b64_json"):
        raise Rejected("response_format must be one of url, b64_json", param="response_format")


def validate_edit(body: Any) -> None:
    validate(body, FIELDS | {"image", "images"})
    if ("image" in body) == ("images" in body):
        raise Rejected("Exactly one of image or images must be provided.", param="image")
    sources = [body["image"]] if "image" in body else body["images"]
    if not isinstance(sources, list) or not 1 <= len(sources) <= MOST_SOURCES:
        raise Rejected(f"images: expected 1 to {MOST_SOURCES} images.", param="images")
    for source in sources:
        _check_source(source)


def _check_source(source: Any) -> None:
    url = source.get("url") if isinstance(source, dict) else None
    if not isinstance(url, str) or not url:
        raise Rejected("Each image must have a non-empty url.", param="image.url")
    if url.startswith(("https://", "http://")):
        return
    head, _, data = url.partition(",")
    if not (head.startswith("data:image/") and head.endswith(";base64")):
        raise Rejected("Image url must be a public URL or a base64 data URI.", param="image.url")
    try:
        base64.b64decode(data, validate=True)
    except binascii.Error:
        raise Rejected("Invalid base64 image data.", param="image.url") from None


def answer_edit(body: dict[str, Any], root: str, kept: dict[str, bytes]) -> dict[str, Any]:
    sources = len(body.get("images") or [body.get("image")])
    return answer(body, root, kept, png(f"{body['prompt']} (edited from {sources})"))


def answer(
    body: dict[str, Any], root: str, kept: dict[str, bytes], image: bytes | None = None
) -> dict[str, Any]:
    """The answer; each image served by URL is kept in `kept` under its name."""
    image = image or png(body["prompt"])
    data = []
    for _ in range(body.get("n", 1)):
        item: dict[str, Any] = {"mime_type": "image/png", "revised_prompt": body["prompt"]}
        if body.get("response_format", "url") == "b64_json":
            item["b64_json"] = base64.b64encode(image).decode()
        else:
            name = new_id("xai-tmp-imgen-") + ".png"
            kept[name] = image
            item["url"] = root + IMAGE_PATH.format(name=name)
        data.append(item)
    return {"created": now(), "data": data}
