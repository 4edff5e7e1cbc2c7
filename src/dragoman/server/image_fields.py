"""The checks an images request gets before it goes to an upstream that draws one image
a request and answers it inline (Gemini's image models, the Responses image tool)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from dragoman.ir.errors import InvalidRequest


def check_one_inline(
    body: dict[str, Any], taken: Collection[str], *, takes: str, one: str, answers: str
) -> None:
    """InvalidRequest for a field not `taken`, a missing prompt, n > 1 or an answer asked
    as a URL, said with the upstream's phrases ("Gemini image models take", "... make one
    image", "... answer")."""
    for name in body:
        if name not in taken:
            raise InvalidRequest(f"{name}: {takes} no {name}", param=name)
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        raise InvalidRequest("prompt: required, a string", param="prompt")
    if body.get("n", 1) != 1:
        raise InvalidRequest(f"n: {one} a request", param="n")
    if body.get("response_format", "b64_json") != "b64_json":
        raise InvalidRequest(f"response_format: {answers} b64_json only", param="response_format")
