"""OpenAI's edit form as xAI's images API takes it: `POST /v1/images/edits` with a JSON
body, the images as data URIs (`image: {url}` for one, `images: [{url}, ...]` for two or
three, as docs.x.ai's image editing guide and xAI's API reference say, checked 2026-12).

The form's files become `data:<type>;base64,...`; its fields pass on, `n` as a number.
What is not sent is a 400 before anything is: more than three images, OpenAI's `size`
and `style` (xAI takes `aspect_ratio` and `resolution` instead), and a mask: xAI's
guide edits by the prompt alone, and though its API reference lists a `mask: {url}`,
nothing says it means what OpenAI's does (transparent where to edit). `quality` (low,
medium, high) is xAI's own too. The answer is xAI's, shaped as OpenAI's.
"""

from __future__ import annotations

import base64
from typing import Any

from dragoman.ir.errors import InvalidRequest
from dragoman.server.form import IMAGE_FILES, Form, FormFile, image_type

# The source images one xAI edit takes (docs.x.ai, "up to 3 source images").
MOST_IMAGES = 3
# The form's fields xAI's edits take; `user` names the caller, nothing more.
TAKEN = frozenset(
    {"model", "prompt", "n", "response_format", "aspect_ratio", "resolution", "quality", "user"}
)
WHY_REFUSED = {
    "mask": "xAI image models are not sent a mask (they edit by the prompt alone)",
    "size": "xAI image models take aspect_ratio and resolution instead of size",
}


def edit_request(form: Form) -> dict[str, Any]:
    """xAI's JSON edit for an OpenAI edit's form; InvalidRequest for what xAI cannot do."""
    body: dict[str, Any] = {name: _field(name, value) for name, value in form.fields.items()}
    images = [_data_uri(file) for file in form.files]
    if not images:
        raise InvalidRequest("image: required, the image to edit", param="image")
    if len(images) > MOST_IMAGES:
        raise InvalidRequest(
            f"image: xAI image models edit at most {MOST_IMAGES} images a request, got {len(images)}",
            param="image",
        )
    if len(images) == 1:
        body["image"] = {"url": images[0]}
    else:
        body["images"] = [{"url": uri} for uri in images]
    return body


def _field(name: str, value: str) -> Any:
    if name in WHY_REFUSED or name not in TAKEN:
        reason = WHY_REFUSED.get(name, f"xAI image models take no {name}")
        raise InvalidRequest(f"{name}: {reason}", param=name)
    if name == "n":
        if not value.isdigit():
            raise InvalidRequest(f"n: expected a whole number, got {value!r}", param="n")
        return int(value)
    return value


def _data_uri(file: FormFile) -> str:
    if file.name not in IMAGE_FILES:
        reason = WHY_REFUSED.get(file.name, f"xAI image models take no {file.name}")
        raise InvalidRequest(f"{file.name}: {reason}", param=file.name)
    return f"data:{image_type(file)};base64,{base64.b64encode(file.content).decode()}"
