"""OpenAI's images request (a generation, or an edit's form) as a Gemini image model
takes it, and its answer back.

A Gemini image model (gemini-2.5-flash-image, ...) draws through `generateContent`,
asked for TEXT and IMAGE (the text says why when no image comes). The prompt is the one
user turn, after the images an edit gives; OpenAI's `size` becomes the nearest of
Gemini's aspect ratios. An edit's mask has no Gemini form: a 400. What Gemini
has no way to honour is a 400 naming the field: more than one image, an image by URL,
quality, style and the rest. The answer's `inlineData` parts are the images
(`b64_json`); its usage is the tokens Gemini counted.
"""

from __future__ import annotations

import base64
import math
import time
from typing import Any

import orjson

from dragoman.ir.errors import InvalidRequest, UpstreamError
from dragoman.server.form import IMAGE_FILES, Form, FormFile, image_type
from dragoman.server.image_fields import check_one_inline

# As Gemini's imageConfig.aspectRatio takes them (ai.google.dev ImageConfig, 2026-12).
ASPECT_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
# OpenAI's fields a Gemini image model can honour; `user` names the caller, nothing more.
TAKEN = frozenset({"model", "prompt", "n", "size", "response_format", "user"})


def request(body: dict[str, Any]) -> dict[str, Any]:
    """The generateContent body for an OpenAI images request; InvalidRequest if it asks
    what a Gemini image model cannot do."""
    _check(body)
    config: dict[str, Any] = {"responseModalities": ["TEXT", "IMAGE"]}
    ratio = aspect_ratio(body.get("size"))
    if ratio is not None:
        config["imageConfig"] = {"aspectRatio": ratio}
    return {"contents": [{"role": "user", "parts": [{"text": body["prompt"]}]}], "generationConfig": config}


def edit_request(form: Form) -> dict[str, Any]:
    """The generateContent body for an OpenAI edit's form: its images, then the prompt."""
    fields: dict[str, Any] = dict(form.fields)
    if fields.get("n", "").isdigit():
        fields["n"] = int(fields["n"])
    images = [_inline(file) for file in form.files]
    if not images:
        raise InvalidRequest("image: required, the image to edit", param="image")
    body = request(fields)
    body["contents"][0]["parts"][:0] = images
    return body


def _inline(file: FormFile) -> dict[str, Any]:
    if file.name not in IMAGE_FILES:
        raise InvalidRequest(f"{file.name}: Gemini image models take no {file.name}", param=file.name)
    data = base64.b64encode(file.content).decode()
    return {"inlineData": {"mimeType": image_type(file), "data": data}}


def _check(body: dict[str, Any]) -> None:
    who = "Gemini image models"
    check_one_inline(body, TAKEN, takes=f"{who} take", one=f"{who} make one image", answers=f"{who} answer")


def aspect_ratio(size: object) -> str | None:
    """The Gemini aspect ratio nearest OpenAI's `size` ("1536x1024" -> "3:2"); None for
    none or "auto" (the model chooses)."""
    if size is None or size == "auto":
        return None
    width, _, height = str(size).partition("x")
    if not (width.isdigit() and height.isdigit() and int(width) and int(height)):
        raise InvalidRequest(f"size: expected WIDTHxHEIGHT or auto, got {size!r}", param="size")
    wanted = math.log(int(width) / int(height))
    return min(ASPECT_RATIOS, key=lambda ratio: abs(math.log(_quotient(ratio)) - wanted))


def _quotient(ratio: str) -> float:
    width, _, height = ratio.partition(":")
    return int(width) / int(height)


def answer(raw: bytes, model: str) -> dict[str, Any]:
    """OpenAI's images answer from a GenerateContentResponse; an answer with no image is
    an error saying what Gemini said instead (its finish reason, its text)."""
    response = orjson.loads(raw)
    candidates = response.get("candidates") or [{}]
    parts = (candidates[0].get("content") or {}).get("parts") or []
    images = [part["inlineData"] for part in parts if isinstance(part.get("inlineData"), dict)]
    if not images:
        raise _no_image(model, response, parts)
    mime = str(images[0].get("mimeType", "image/png"))
    return {
        "created": int(time.time()),
        "data": [{"b64_json": image.get("data", "")} for image in images],
        "output_format": mime.removeprefix("image/"),
        "usage": _usage(response.get("usageMetadata") or {}),
    }


def _no_image(model: str, response: dict[str, Any], parts: list[dict[str, Any]]) -> Exception:
    blocked = (response.get("promptFeedback") or {}).get("blockReason")
    candidates = response.get("candidates") or [{}]
    reason = blocked or candidates[0].get("finishReason") or "no reason given"
    said = " ".join(part["text"] for part in parts if isinstance(part.get("text"), str)).strip()
    message = f"{model} made no image ({reason})" + (f": {said}" if said else "")
    if blocked or str(reason).startswith(("SAFETY", "IMAGE_", "PROHIBITED", "BLOCKLIST", "NO_IMAGE")):
        return InvalidRequest(message)
    return UpstreamError(message)


def _usage(metadata: dict[str, Any]) -> dict[str, Any]:
    prompt = int(metadata.get("promptTokenCount") or 0)
    made = int(metadata.get("candidatesTokenCount") or 0) + int(metadata.get("thoughtsTokenCount") or 0)
    return {
        "input_tokens": prompt,
        "output_tokens": made,
        "total_tokens": prompt + made,
        "input_tokens_details": {"text_tokens": prompt, "image_tokens": 0},
    }
