"""xAI's images API as the xAI fake serves it: POST /v1/images/generations, OpenAI's
route with xAI's own fields (as gateways relaying to api.x.ai document them, checked
2026-12): `n` 1-10, `response_format` url (the default) or b64_json, `aspect_ratio`,
`resolution`; OpenAI's `size`, `quality` and `style` are refused ("Argument not
supported: size"). Each image is a tiny PNG holding the prompt, by URL (served by the
fake, as xAI serves its own) or inline; no usage, as xAI's answer has none."""

from __future__ import annotations

import base64
from typing import Any

from tests.fakes.base import Rejected, new_id, words
from tests.fakes.openai_base import expect_type, missing, now
from tests.fakes.openai_images import png

FIELDS = words("model prompt n response_format aspect_ratio resolution user")
IMAGE_PATH = "/xai-imgen/{name}"


def validate(body: Any) -> None:
    if not isinstance(body, dict):
        raise Rejected("Invalid request body: expected a JSON object.")
    for name in body:
        if name not in FIELDS:
            raise Rejected(f"Argument not supported: {name}", param=name)
    for name in ("model", "prompt"):
        if name not in body:
            raise missing(name)
        expect_type(body[name], str, "a string", name)
    n = body.get("n", 1)
    if not isinstance(n, int) or not 1 <= n <= 10:
        raise Rejected(f"Invalid 'n': integer out of range [1, 10], got {n!r}.", param="n")
    if body.get("response_format", "url") not in ("url", "b64_json"):
        raise Rejected("response_format must be one of url, b64_json", param="response_format")


def answer(body: dict[str, Any], root: str, kept: dict[str, bytes]) -> dict[str, Any]:
    """The answer; each image served by URL is kept in `kept` under its name."""
    image = png(body["prompt"])
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
