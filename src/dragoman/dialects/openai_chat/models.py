"""The OpenAI model list shape (`GET /v1/models`), shared by both OpenAI dialects:
rendered for clients, and parsed from upstreams (OpenAI and the servers copying it)."""

from __future__ import annotations

from typing import Any

from dragoman.ir.models import ModelCard, ModelInfo

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


# --- parse: an upstream's list ---------------------------------------------------------

# Query of the first page: OpenAI's list is not paged.
LIST_QUERY: dict[str, str] = {}

# Fields compatible servers add to size the context: our own render, OpenRouter, vLLM.
_CONTEXT_FIELDS = ("context_window", "context_length", "max_model_len")
_OUTPUT_FIELDS = ("max_output_tokens", "max_completion_tokens")


def parse_list(body: Any) -> list[ModelInfo]:
    """The models of an upstream's `GET /models`. ValueError if it is no model list."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise ValueError("not an OpenAI model list: no `data` array")
    return [_info(entry) for entry in data if isinstance(entry, dict) and _is_id(entry.get("id"))]


def next_page(body: Any) -> dict[str, str] | None:
    """The query of the page after this one; None, as the list comes whole."""
    return None


def _info(entry: dict[str, Any]) -> ModelInfo:
    top = entry.get("top_provider")
    output = _first_limit(entry, _OUTPUT_FIELDS)
    if output is None and isinstance(top, dict):
        output = _first_limit(top, _OUTPUT_FIELDS)
    name = entry.get("name")
    return ModelInfo(
        entry["id"],
        context_window=_first_limit(entry, _CONTEXT_FIELDS),
        max_output_tokens=output,
        display_name=name if isinstance(name, str) and name else None,
    )


def _first_limit(entry: dict[str, Any], names: tuple[str, ...]) -> int | None:
    for name in names:
        value = entry.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
