"""`generationConfig` <-> IR sampling controls, response format and reasoning.

Thinking: `thinkingBudget` is a token budget (-1 dynamic, 0 off) and maps to
`Reasoning.budget_tokens`; Gemini 3's `thinkingLevel` maps to `Reasoning.effort`.
Rendering sends a budget as `thinkingBudget`, and an effort as `thinkingLevel` to
Gemini 3 models or as the equivalent budget to older ones. Gemini 3 cannot turn
thinking off, so "off" becomes its lowest level every Gemini 3 model accepts, LOW.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dragoman.dialects.gemini import wire
from dragoman.dialects.gemini.fields import (
    expect_list,
    expect_object,
    expect_str,
    get,
    leftovers,
    optional_bool,
    optional_float,
    optional_int,
    optional_str,
)
from dragoman.dialects.gemini.schema import to_json_schema
from dragoman.ir.reasoning import budget_for_effort
from dragoman.ir.request import Reasoning, Request, ResponseFormat

# generationConfig field -> (Request attribute, reader)
_SAMPLING: dict[str, tuple[str, Callable[[object, str], Any]]] = {
    "temperature": ("temperature", optional_float),
    "topP": ("top_p", optional_float),
    "topK": ("top_k", optional_int),
    "maxOutputTokens": ("max_tokens", optional_int),
    "seed": ("seed", optional_int),
    "presencePenalty": ("presence_penalty", optional_float),
    "frequencyPenalty": ("frequency_penalty", optional_float),
}
_PENALTIES = ("presencePenalty", "frequencyPenalty")
_FORMAT_FIELDS = ("responseMimeType", "responseSchema", "responseJsonSchema")
_HANDLED = (*_SAMPLING, *_FORMAT_FIELDS, "stopSequences", "thinkingConfig", "candidateCount")
_MAX_STOP_SEQUENCES = 5
_JSON = "application/json"

_EFFORTS: dict[str, str] = {"MINIMAL": "minimal", "LOW": "low", "MEDIUM": "medium", "HIGH": "high"}
_LEVELS: dict[str, str] = {
    "none": "LOW",
    "minimal": "MINIMAL",
    "low": "LOW",
    "medium": "MEDIUM",
    "high": "HIGH",
    "xhigh": "HIGH",
    "max": "HIGH",
}
_VERSION = re.compile(r"gemini-(\d+)")


def parse_generation_config(value: object, path: str, request: Request) -> dict[str, Any]:
    """Fill `request` from a generationConfig; returns the fields with no IR home."""
    config = expect_object(value, path)
    for name, (attribute, read) in _SAMPLING.items():
        setattr(request, attribute, read(get(config, name), f"{path}.{name}"))
    request.choices = optional_int(get(config, "candidateCount"), f"{path}.candidateCount", minimum=1) or 1
    stops = expect_list(get(config, "stopSequences") or [], f"{path}.stopSequences")
    request.stop = [expect_str(stop, f"{path}.stopSequences[{i}]") for i, stop in enumerate(stops)]
    request.response_format, rest = _parse_format(config, path)
    thinking = get(config, "thinkingConfig")
    if thinking is not None:
        request.reasoning = _parse_thinking(thinking, f"{path}.thinkingConfig")
    return {**leftovers(config, _HANDLED), **rest}


def _parse_format(config: dict[str, Any], path: str) -> tuple[ResponseFormat | None, dict[str, Any]]:
    mime = optional_str(get(config, "responseMimeType"), f"{path}.responseMimeType")
    schema = get(config, "responseJsonSchema")
    if schema is None:
        schema = get(config, "responseSchema")
    if mime not in (None, _JSON):
        # text/plain, text/x.enum: nothing other dialects share; kept for Gemini.
        return None, {key: value for key in _FORMAT_FIELDS if (value := get(config, key)) is not None}
    if isinstance(schema, dict):
        return ResponseFormat(type="json_schema", schema=to_json_schema(schema)), {}
    return (ResponseFormat(type="json_object") if mime else None), {}


def _parse_thinking(value: object, path: str) -> Reasoning:
    config = expect_object(value, path)
    include = optional_bool(get(config, "includeThoughts"), f"{path}.includeThoughts")
    reasoning = Reasoning(include_thoughts=include)
    budget = optional_int(get(config, "thinkingBudget"), f"{path}.thinkingBudget")
    if budget is not None:
        reasoning.enabled = budget != 0
        reasoning.budget_tokens = budget if budget > 0 else None
    level = optional_str(get(config, "thinkingLevel"), f"{path}.thinkingLevel")
    effort = _EFFORTS.get((level or "").upper())
    if effort is not None:
        reasoning.enabled, reasoning.effort = True, effort  # type: ignore[assignment]
    return reasoning


def render_generation_config(request: Request, model: str) -> wire.GenerationConfig:
    config: dict[str, Any] = {}
    for name, (attribute, _) in _SAMPLING.items():
        value = getattr(request, attribute)
        # A zero penalty is a no-op, and some Gemini models refuse penalties outright.
        if value is not None and not (name in _PENALTIES and value == 0):
            config[name] = value
    if request.choices > 1:
        config["candidateCount"] = request.choices
    if request.stop:
        config["stopSequences"] = request.stop[:_MAX_STOP_SEQUENCES]
    config.update(_render_format(request.response_format))
    thinking = render_thinking(request.reasoning, model)
    if thinking:
        config["thinkingConfig"] = thinking
    return config  # type: ignore[return-value]


def _render_format(response_format: ResponseFormat | None) -> dict[str, Any]:
    if response_format is None or response_format.type == "text":
        return {}
    if response_format.type == "json_schema" and response_format.schema is not None:
        # responseJsonSchema takes JSON Schema as is ($ref, additionalProperties...).
        return {"responseMimeType": _JSON, "responseJsonSchema": response_format.schema}
    return {"responseMimeType": _JSON}


def render_thinking(reasoning: Reasoning | None, model: str) -> wire.ThinkingConfig:
    if reasoning is None:
        return {}
    config: wire.ThinkingConfig = {}
    if reasoning.include_thoughts is not None:
        config["includeThoughts"] = reasoning.include_thoughts
    elif reasoning.summary not in (None, "none") and reasoning.enabled is not False:
        config["includeThoughts"] = True
    config.update(_thinking_amount(reasoning, is_gemini_3(model)))  # type: ignore[typeddict-item]
    return config


def _thinking_amount(reasoning: Reasoning, gemini_3: bool) -> dict[str, Any]:
    if reasoning.enabled is False:
        return {"thinkingLevel": "LOW"} if gemini_3 else {"thinkingBudget": 0}
    if reasoning.budget_tokens is not None:
        return {"thinkingBudget": reasoning.budget_tokens}
    if reasoning.effort is not None:
        if gemini_3:
            return {"thinkingLevel": _LEVELS[reasoning.effort]}
        return {"thinkingBudget": budget_for_effort(reasoning.effort)}
    if reasoning.enabled and not gemini_3:
        return {"thinkingBudget": -1}
    return {}


def is_gemini_3(model: str) -> bool:
    """Gemini 3 and later take `thinkingLevel` and require thought signatures."""
    match = _VERSION.search(model)
    return match is not None and int(match.group(1)) >= 3
