"""The Gemini model list shape (`GET /v1beta/models`): rendered for clients, and parsed
from an upstream, page by page."""

from __future__ import annotations

from typing import Any

from dragoman.ir.models import ModelCard, ModelInfo

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


# --- parse: an upstream's list ---------------------------------------------------------

# The largest page the API gives (its default is 50); later pages follow `nextPageToken`.
LIST_QUERY: dict[str, str] = {"pageSize": "1000"}


def parse_list(body: Any) -> list[ModelInfo]:
    """The models of one page of `GET /models` that can generate content (embedding
    and other models left out). ValueError if it is no model list."""
    models = body.get("models", []) if isinstance(body, dict) else None
    if not isinstance(models, list):
        raise ValueError("not a Gemini model list: no `models` array")
    return [_info(entry) for entry in models if _generates(entry)]


def next_page(body: Any) -> dict[str, str] | None:
    """The query of the page after this one, or None on the last page."""
    token = body.get("nextPageToken") if isinstance(body, dict) else None
    return {**LIST_QUERY, "pageToken": token} if isinstance(token, str) and token else None


def _generates(entry: Any) -> bool:
    name = entry.get("name") if isinstance(entry, dict) else None
    if not isinstance(name, str) or not name.removeprefix("models/").strip():
        return False
    methods = entry.get("supportedGenerationMethods")
    return not isinstance(methods, list) or "generateContent" in methods


def _info(entry: dict[str, Any]) -> ModelInfo:
    name = entry.get("displayName")
    return ModelInfo(
        entry["name"].removeprefix("models/"),
        context_window=_limit(entry.get("inputTokenLimit")),
        max_output_tokens=_limit(entry.get("outputTokenLimit")),
        reasoning=entry.get("thinking") is True,
        display_name=name if isinstance(name, str) and name else None,
    )


def _limit(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
