"""The OpenAI model list shape (`GET /v1/models`), shared by both OpenAI dialects."""

from __future__ import annotations

from typing import Any

from dragoman.ir.models import ModelCard

# OpenAI's list carries no dates we know; a fixed epoch keeps answers stable.
_CREATED = 1_700_000_000


def render_one(card: ModelCard) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": card.id, "object": "model", "created": _CREATED, "owned_by": card.owned_by}
    # Not in OpenAI's schema; clients like OpenCode and Kilo read these to size context.
    if card.info.context_window:
        entry["context_window"] = card.info.context_window
    if card.info.max_output_tokens:
        entry["max_output_tokens"] = card.info.max_output_tokens
    return entry


def render_list(cards: list[ModelCard]) -> dict[str, Any]:
    return {"object": "list", "data": [render_one(card) for card in cards]}
