"""The Anthropic model list shape (`GET /v1/models` with `anthropic-version`): rendered
for clients, and parsed from an upstream, page by page."""

from __future__ import annotations

from typing import Any

from dragoman.ir.models import ModelCard, ModelInfo

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


# --- parse: an upstream's list ---------------------------------------------------------

# The largest page the API gives; later pages follow `last_id`.
LIST_QUERY: dict[str, str] = {"limit": "1000"}


def parse_list(body: Any) -> list[ModelInfo]:
    """The models of one page of `GET /v1/models`, retired ones left out.
    ValueError if it is no model list."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise ValueError("not an Anthropic model list: no `data` array")
    return [
        _info(entry)
        for entry in data
        if isinstance(entry, dict) and _is_id(entry.get("id")) and entry.get("lifecycle") != "retired"
    ]


def next_page(body: Any) -> dict[str, str] | None:
    """The query of the page after this one, or None on the last page."""
    if isinstance(body, dict) and body.get("has_more") is True and _is_id(body.get("last_id")):
        return {**LIST_QUERY, "after_id": body["last_id"]}
    return None


def _info(entry: dict[str, Any]) -> ModelInfo:
    capabilities = entry.get("capabilities")
    name = entry.get("display_name")
    return ModelInfo(
        entry["id"],
        context_window=_limit(entry.get("max_input_tokens")),
        max_output_tokens=_limit(entry.get("max_tokens")),
        vision=_supports(capabilities, "image_input"),
        reasoning=_supports(capabilities, "thinking"),
        display_name=name if isinstance(name, str) and name else None,
    )


def _supports(capabilities: Any, name: str) -> bool:
    entry = capabilities.get(name) if isinstance(capabilities, dict) else None
    return isinstance(entry, dict) and entry.get("supported") is True


def _limit(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
