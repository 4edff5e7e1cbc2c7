"""`auto` and each `auto/<profile>` as rows of the model lists, so a client that picks
its model from `/v1/models` (OpenCode, Kilo, the SDKs' model pickers) can pick them.

A row's limits are the tightest of its tiers' models: `auto` may answer with any of
them, so a client that sizes its context by the list must fit the smallest window.
A profile whose tiers name no served model is left out (asking for it would fail).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dragoman.ir.errors import ModelNotFound
from dragoman.ir.models import ModelCard, ModelInfo

OWNER = "dragoman"
AUTO = "auto"


def auto_cards(
    profiles: list[str], tiers_of: Callable[[str], Mapping[Any, str]], served: Mapping[str, ModelInfo]
) -> list[ModelCard]:
    """A card for `auto` ("" in `profiles`) and each named profile that can answer."""
    cards = []
    for profile in profiles:
        model_id = f"{AUTO}/{profile}" if profile else AUTO
        infos = _served_tiers(profile, tiers_of, served)
        if infos:
            cards.append(ModelCard(model_id, OWNER, _tightest(model_id, infos)))
    return cards


def _served_tiers(
    profile: str, tiers_of: Callable[[str], Mapping[Any, str]], served: Mapping[str, ModelInfo]
) -> list[ModelInfo]:
    try:
        tiers = tiers_of(profile)
    except ModelNotFound:
        return []
    return [served[model] for model in tiers.values() if model in served]


def _tightest(model_id: str, infos: list[ModelInfo]) -> ModelInfo:
    windows = [info.context_window for info in infos if info.context_window is not None]
    outputs = [info.max_output_tokens for info in infos if info.max_output_tokens is not None]
    return ModelInfo(
        model_id,
        context_window=min(windows) if windows else None,
        max_output_tokens=min(outputs) if outputs else None,
        tools=all(info.tools for info in infos),
        vision=all(info.vision for info in infos),
        reasoning=any(info.reasoning for info in infos),
        display_name=f"{model_id} (chosen per request by dragoman)",
    )
