"""The Gemini model list shape (`GET /v1beta/models`)."""

from __future__ import annotations

from typing import Any

from dragoman.ir.models import ModelCard

_METHODS = ["generateContent", "streamGenerateContent", "countTokens"]


def render_one(card: ModelCard) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": f"models/{card.id}",
        "baseModelId": card.id,
        "version": "001",
        "displayName": card.info.display_name or card.id,
        "supportedGenerationMethods": _METHODS,
    }
    if card.info.context_window:
        entry["inputTokenLimit"] = card.info.context_window
    if card.info.max_output_tokens:
        entry["outputTokenLimit"] = card.info.max_output_tokens
    if card.info.reasoning:
        entry["thinking"] = True
    return entry


def render_list(cards: list[ModelCard]) -> dict[str, Any]:
    return {"models": [render_one(card) for card in cards]}
