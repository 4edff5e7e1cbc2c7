"""The Anthropic API's last word on a rendered Messages body: what the newer Claude models
refuse, adjusted so a request from any client still goes through.

The dialect renders thinking the way every Claude model since 3.7 accepts it (an
`enabled` budget for clients of other dialects). Newer models changed the contract
(platform.claude.com model pages and migration guides, 2026):

- Adaptive-only models (Opus 4.7 onwards, every 5.x model) answer 400 to
  `thinking: {"type": "enabled", "budget_tokens": N}` and to `temperature`, `top_p`,
  `top_k`: the budget becomes `adaptive` thinking steered by `output_config.effort`, and
  sampling is dropped.
- Models that always think (Opus 5.5, Fable 5.1) refuse `thinking: {"type": "disabled"}`:
  it is left out, which is their default anyway.
- Opus 5.5, Sonnet 5.5 and Fable 5.1 answer forced tool use (`tool_choice` `any` or
  `tool`) with an error: it becomes `auto`, the tools still offered.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dragoman.ir.reasoning import effort_for_budget
from dragoman.ir.request import Request

# Model families, matched as id prefixes ("claude-opus-5" covers claude-opus-5-5 and
# dated snapshots). Sources: each model's overview and migration guide on
# platform.claude.com (Opus 4.7/4.8 via the migration guide and SDK issue reports).
ADAPTIVE_ONLY: tuple[str, ...] = (
    "claude-opus-4-7",
    "claude-opus-4-8",
    "claude-opus-5",
    "claude-sonnet-5",
    "claude-haiku-5",
    "claude-fable-5",
    "claude-mythos-5",
)
ALWAYS_THINKING: tuple[str, ...] = ("claude-opus-5-5", "claude-fable-5-1", "claude-mythos-5-1")
NO_FORCED_TOOLS: tuple[str, ...] = (
    "claude-opus-5-5",
    "claude-sonnet-5-5",
    "claude-fable-5-1",
    "claude-mythos-5-1",
)

SAMPLING: tuple[str, ...] = ("temperature", "top_p", "top_k")
# The API's effort levels; the IR's lower ones are sent as its lowest.
WIRE_EFFORTS: dict[str, str] = {
    "minimal": "low",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "xhigh": "xhigh",
    "max": "max",
}


def fix_request(body: dict[str, Any], request: Request) -> dict[str, Any]:
    model = str(body.get("model", ""))
    if _is(model, ADAPTIVE_ONLY):
        _adaptive_thinking(body, request)
        for name in SAMPLING:
            body.pop(name, None)
    if _is(model, NO_FORCED_TOOLS):
        _unforce_tool_choice(body)
    if _is(model, ALWAYS_THINKING) and _thinking_type(body) == "disabled":
        del body["thinking"]
    return body


def _is(model: str, families: Iterable[str]) -> bool:
    return any(model.startswith(family) for family in families)


def _thinking_type(body: dict[str, Any]) -> str | None:
    thinking = body.get("thinking")
    return thinking.get("type") if isinstance(thinking, dict) else None


def _adaptive_thinking(body: dict[str, Any], request: Request) -> None:
    """A thinking budget as adaptive thinking, its size carried over as an effort."""
    if _thinking_type(body) != "enabled":
        return
    thinking = body["thinking"]
    adaptive = {"type": "adaptive"}
    if "display" in thinking:
        adaptive["display"] = thinking["display"]
    body["thinking"] = adaptive
    effort = _effort(thinking.get("budget_tokens"), request)
    output_config = body.get("output_config")
    output_config = output_config if isinstance(output_config, dict) else {}
    if effort is not None and "effort" not in output_config:
        body["output_config"] = {**output_config, "effort": effort}


def _effort(budget: Any, request: Request) -> str | None:
    """The client's own effort when it named one, else the one its budget stands for."""
    wanted = request.reasoning.effort if request.reasoning is not None else None
    if wanted is None and isinstance(budget, int):
        wanted = effort_for_budget(budget)
    return WIRE_EFFORTS.get(wanted) if wanted is not None else None


def _unforce_tool_choice(body: dict[str, Any]) -> None:
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") in ("any", "tool"):
        unforced = {"type": "auto"}
        if "disable_parallel_tool_use" in choice:
            unforced["disable_parallel_tool_use"] = choice["disable_parallel_tool_use"]
        body["tool_choice"] = unforced
