"""OpenAI's last word on a rendered body (Chat Completions or Responses): sampling and
reasoning effort as each model family accepts them.

- Reasoning models (o-series, GPT-5 and GPT-6) answer 400 to `temperature`, `top_p`,
  `top_logprobs` and `logprobs` (developers.openai.com deployment checklist: "When reasoning
  effort is not none, remove temperature, top_p, and top_logprobs"). They are dropped
  whatever the effort: the first GPT-5 models refuse them even then.
- Each family takes its own set of efforts (gpt-6.1-sol has no `none` or `minimal`,
  gpt-5.5 has no `max`, ...). An effort a model refuses becomes the nearest one it takes,
  so a client's "think hard" survives the trip instead of failing the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dragoman.ir.request import Request

# Every GPT-5 and GPT-6 model reasons (gpt-5.5, gpt-6.1-sol, ...): matched as id prefixes.
REASONING_PREFIXES: tuple[str, ...] = ("o1", "o3", "o4", "gpt-5", "gpt-6")
REFUSED_WITH_REASONING: tuple[str, ...] = ("temperature", "top_p", "top_logprobs", "logprobs")

EFFORT_ORDER: tuple[str, ...] = ("none", "minimal", "low", "medium", "high", "xhigh", "max")

# Efforts each family accepts; unknown models are left alone. A family is matched on whole
# id segments ("gpt-5" is gpt-5, gpt-5-mini and their snapshots, never gpt-5.5), so the
# table needs no particular order. Sources: OpenAI's model pages and "Using GPT-6" guide
# as quoted by migration notes (apidog, aihubmix, LiteLLM; 2026-09 to 11) and provider
# listings (Venice, Oxen); gpt-5 and o-series from OpenAI's reasoning guide.
EFFORTS: dict[str, frozenset[str]] = {
    "gpt-6.1-sol": frozenset({"low", "medium", "high", "xhigh", "max"}),
    "gpt-6.1-terra": frozenset({"none", "low", "medium", "high", "xhigh", "max"}),
    "gpt-6-astra": frozenset({"low", "medium", "high", "xhigh", "max"}),
    "gpt-6-sol": frozenset({"none", "low", "medium", "high", "xhigh", "max"}),
    "gpt-6-luna": frozenset({"none", "low", "medium", "high", "xhigh", "max"}),
    "gpt-5.6": frozenset({"none", "low", "medium", "high", "xhigh", "max"}),
    "gpt-5.5": frozenset({"none", "low", "medium", "high", "xhigh"}),
    "gpt-5": frozenset({"minimal", "low", "medium", "high"}),
    "o3": frozenset({"low", "medium", "high"}),
    "o4": frozenset({"low", "medium", "high"}),
}


def fix_request(body: dict[str, Any], request: Request) -> dict[str, Any]:
    model = str(body.get("model", ""))
    if model.startswith(REASONING_PREFIXES):
        for name in REFUSED_WITH_REASONING:
            body.pop(name, None)
    accepted = efforts_for(model, EFFORTS)
    if accepted is not None:
        clamp_effort(body, accepted)
    return body


def family_of(model: str, families: Iterable[str]) -> str | None:
    """The first family `model` belongs to: the family id itself, or it followed by `-`."""
    for family in families:
        if model == family or model.startswith(family + "-"):
            return family
    return None


def efforts_for(model: str, table: dict[str, frozenset[str]]) -> frozenset[str] | None:
    """The efforts `model` accepts, from a {family: efforts} table; None if unknown."""
    family = family_of(model, table)
    return table[family] if family is not None else None


def clamp_effort(body: dict[str, Any], accepted: frozenset[str]) -> None:
    """Bring the effort of either OpenAI dialect (`reasoning.effort` or `reasoning_effort`)
    within `accepted`; nested objects are replaced, never edited, as they may be shared."""
    effort = body.get("reasoning_effort")
    if isinstance(effort, str):
        body["reasoning_effort"] = nearest_effort(effort, accepted)
    reasoning = body.get("reasoning")
    if isinstance(reasoning, dict) and isinstance(reasoning.get("effort"), str):
        body["reasoning"] = {**reasoning, "effort": nearest_effort(reasoning["effort"], accepted)}


def nearest_effort(effort: str, accepted: frozenset[str]) -> str:
    """`effort` if accepted, else the accepted level closest to it (the higher on a tie)."""
    if effort in accepted or effort not in EFFORT_ORDER or not accepted:
        return effort
    wanted = EFFORT_ORDER.index(effort)

    def distance(level: str) -> tuple[int, int]:
        rank = EFFORT_ORDER.index(level)
        return abs(rank - wanted), -rank

    return min(accepted, key=distance)
