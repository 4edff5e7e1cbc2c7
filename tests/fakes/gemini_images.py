"""Gemini's image models as the Gemini fake serves them: asked for `IMAGE` in
`generationConfig.responseModalities`, a model whose id names it an image model
(gemini-2.5-flash-image, gemini-3-pro-image-preview, ...) answers an `inlineData` PNG
holding the prompt after any text; any other model refuses, as Google does ("Model does
not support the requested response modalities: image,text"). `imageConfig` takes
`aspectRatio` and `imageSize` only."""

from __future__ import annotations

import base64
from typing import Any

from tests.fakes.base import Rejected
from tests.fakes.gemini_validate import get, known
from tests.fakes.openai_images import png

IMAGE_CONFIG = ("aspectRatio", "imageSize")


def asked(body: dict[str, Any]) -> list[str]:
    """The response modalities the request asks for, upper-cased as the API reads them."""
    config = get(body, "generationConfig") or {}
    modalities = get(config, "responseModalities") or []
    return [str(modality).upper() for modality in modalities]


def check(body: Any, model: str) -> None:
    if not isinstance(body, dict):
        return
    modalities = asked(body)
    if "IMAGE" in modalities and not draws(model):
        said = ",".join(modality.lower() for modality in modalities)
        raise Rejected(f"Model does not support the requested response modalities: {said}")
    image_config = get(get(body, "generationConfig") or {}, "imageConfig")
    if isinstance(image_config, dict):
        known(image_config, IMAGE_CONFIG, "generation_config.image_config")


def draws(model: str) -> bool:
    return "-image" in model


def parts(body: dict[str, Any], model: str) -> list[dict[str, Any]]:
    """The image parts of an answer: one PNG of the last user text, when asked for."""
    if "IMAGE" not in asked(body) or not draws(model):
        return []
    texts = [
        part.get("text", "") for content in get(body, "contents") or [] for part in get(content, "parts")
    ]
    image = base64.b64encode(png(texts[-1] if texts else "")).decode()
    return [{"inlineData": {"mimeType": "image/png", "data": image}}]
