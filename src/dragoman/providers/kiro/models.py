"""Kiro's models: those a plan commonly reaches, and the account's own live list.

The built-in list is by Kiro's own ids (dotted versions, and `auto`, Kiro's own choice);
Kiro's Claude models have a 200 k context window. Which ones an account may use is its
plan's: the runtime lists them (runtimes.md §3g; peers' readers of it) at

    GET {runtime}/ListAvailableModels?origin=AI_EDITOR&maxResults=50[&profileArn=..][&nextToken=..]

    {"models": [{"modelId": "claude-sonnet-4.5", "modelName": "Claude Sonnet 4.5",
                 "description": "...", "supportedInputTypes": ["TEXT", "IMAGE"],
                 "tokenLimits": {"maxInputTokens": 200000, "maxOutputTokens": 64000}}],
     "nextToken": "..."}

read page by page by `routing.live` (`LIST_QUERY`, `parse_list`, `next_page`), the
account's profile added by the runtime (`KiroRuntime.list_query`).
"""

from functools import partial
from typing import Any

from dragoman.providers.spec import ModelInfo

_claude = partial(ModelInfo, context_window=200_000, vision=True)

MODELS = (
    _claude("auto", display_name="Kiro auto", router=True),
    _claude("claude-sonnet-4.5", display_name="Claude Sonnet 4.5"),
    _claude("claude-sonnet-4", display_name="Claude Sonnet 4"),
    _claude("claude-haiku-4.5", display_name="Claude Haiku 4.5"),
    _claude("claude-opus-4.5", display_name="Claude Opus 4.5"),
)

# The first page's query, as the IDE asks it.
LIST_QUERY: dict[str, str] = {"origin": "AI_EDITOR", "maxResults": "50"}


def parse_list(body: Any) -> list[ModelInfo]:
    """The models of one `ListAvailableModels` page. ValueError if it is no model list."""
    models = body.get("models") if isinstance(body, dict) else None
    if not isinstance(models, list):
        raise ValueError("not a Kiro model list: no `models` array")
    return [_info(entry) for entry in models if isinstance(entry, dict) and _text(entry.get("modelId"))]


def next_page(body: Any) -> dict[str, str] | None:
    """The next page's query, while Kiro hands out a `nextToken`."""
    token = _text(body.get("nextToken")) if isinstance(body, dict) else None
    return {**LIST_QUERY, "nextToken": token} if token else None


def _info(entry: dict[str, Any]) -> ModelInfo:
    found = entry.get("tokenLimits")
    limits: dict[str, Any] = found if isinstance(found, dict) else {}
    inputs = entry.get("supportedInputTypes")
    return ModelInfo(
        entry["modelId"],
        context_window=_count(limits.get("maxInputTokens")),
        max_output_tokens=_count(limits.get("maxOutputTokens")),
        vision=isinstance(inputs, list) and "IMAGE" in inputs,
        display_name=_text(entry.get("modelName")),
    )


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
