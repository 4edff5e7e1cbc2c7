"""The Gemini API's last word on a rendered generateContent body: thinking and sampling
settings as each model accepts them.

- Thinking levels: Gemini 3 Pro takes LOW and HIGH only, 3.1 Pro and 3.8 Flash refuse
  MINIMAL. A level a model refuses becomes the nearest one it takes.
- Thinking budgets (Gemini 2.5): each model has a range, and 2.5 Pro cannot stop
  thinking, so 0 ("off") is raised to its minimum. -1 (dynamic) is always accepted.
- Gemini 3.5 Flash-Lite answers 400 to any presence or frequency penalty.
- An image model offered the Responses `image_generation` tool (which no other dialect
  can carry) is asked to draw: responseModalities TEXT and IMAGE. Its image comes back
  as an assistant image (`dialects/openai_responses/images.py`).

Sources: the model pages on ai.google.dev and cloud.google.com (2026-07 to 09), and the
model registry of router-for-me/CLIProxyAPI for the 2.5 budget ranges.
"""

from __future__ import annotations

from typing import Any

from dragoman.ir.request import Request
from dragoman.providers.gemini.models import MODELS

DRAWING = frozenset(info.id for info in MODELS if info.images)

LEVEL_ORDER: tuple[str, ...] = ("MINIMAL", "LOW", "MEDIUM", "HIGH")
# Matched as id prefixes, first match wins (so a longer id comes before its prefix).
LEVELS: dict[str, frozenset[str]] = {
    "gemini-3-pro": frozenset({"LOW", "HIGH"}),
    "gemini-3.1-pro": frozenset({"LOW", "MEDIUM", "HIGH"}),
    "gemini-3.8-flash": frozenset({"LOW", "MEDIUM", "HIGH"}),
}
BUDGETS: dict[str, tuple[int, int]] = {
    "gemini-2.5-pro": (128, 32_768),
    "gemini-2.5-flash-lite": (0, 24_576),
    "gemini-2.5-flash": (0, 24_576),
}
NO_PENALTIES: tuple[str, ...] = ("gemini-3.5-flash-lite",)
PENALTIES: tuple[str, ...] = ("presencePenalty", "frequencyPenalty")


def fix_request(body: dict[str, Any], request: Request) -> dict[str, Any]:
    model = upstream_model(request)
    if model in DRAWING and asks_to_draw(request):
        body["generationConfig"] = {
            **(body.get("generationConfig") or {}),
            "responseModalities": ["TEXT", "IMAGE"],
        }
    config = body.get("generationConfig")
    if not isinstance(config, dict):
        return body
    fixed = _fix_thinking(config, model)
    if model.startswith(NO_PENALTIES):
        fixed = {key: value for key, value in fixed.items() if key not in PENALTIES}
    if fixed is not config:
        body["generationConfig"] = fixed
    return body


def upstream_model(request: Request) -> str:
    # The Gemini body carries no model (it is in the URL) and the hook gets the client's
    # request, so the id is the client's, less any `provider/` prefix: an alias that
    # names another id is not seen through.
    return request.model.rpartition("/")[2]


def asks_to_draw(request: Request) -> bool:
    """Whether the client offered the Responses hosted `image_generation` tool."""
    return any(
        tool.type == "native" and (tool.raw or {}).get("type") == "image_generation" for tool in request.tools
    )


def _fix_thinking(config: dict[str, Any], model: str) -> dict[str, Any]:
    """`config` itself when nothing changes, else a copy with a fixed thinkingConfig."""
    thinking = config.get("thinkingConfig")
    if not isinstance(thinking, dict):
        return config
    fixed = {**thinking}
    level, levels = thinking.get("thinkingLevel"), _first(LEVELS, model)
    if isinstance(level, str) and levels is not None:
        fixed["thinkingLevel"] = nearest_level(level.upper(), levels)
    budget, limits = thinking.get("thinkingBudget"), _first(BUDGETS, model)
    if isinstance(budget, int) and budget != -1 and limits is not None:
        fixed["thinkingBudget"] = min(max(budget, limits[0]), limits[1])
    return config if fixed == thinking else {**config, "thinkingConfig": fixed}


def _first(table: dict[str, Any], model: str) -> Any:
    return next((value for family, value in table.items() if model.startswith(family)), None)


def nearest_level(level: str, accepted: frozenset[str]) -> str:
    """`level` if accepted, else the accepted level closest to it (the higher on a tie)."""
    if level in accepted or level not in LEVEL_ORDER:
        return level
    wanted = LEVEL_ORDER.index(level)

    def distance(candidate: str) -> tuple[int, int]:
        rank = LEVEL_ORDER.index(candidate)
        return abs(rank - wanted), -rank

    return min(accepted, key=distance)
