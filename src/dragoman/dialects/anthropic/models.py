"""The Anthropic model list shape (`GET /v1/models` with `anthropic-version`)."""

from __future__ import annotations

from typing import Any

from dragoman.ir.models import ModelCard

_CREATED_AT = "2025-01-01T00:00:00Z"


def render_one(card: ModelCard) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": "model",
        "id": card.id,
        "display_name": card.info.display_name or card.id,
        "created_at": _CREATED_AT,
    }
    if card.info.context_window:
        entry["max_input_tokens"] = card.info.context_window
    if card.info.max_output_tokens:
        entry["max_tokens"] = card.info.max_output_tokens
    return entry


def render_list(cards: list[ModelCard]) -> dict[str, Any]:
    data = [render_one(card) for card in cards]
    return {
        "data": data,
        "has_more": False,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }
