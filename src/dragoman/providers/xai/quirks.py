"""xAI's Responses API: what it refuses of an OpenAI Responses body (upstreams.md §6,
from CLIProxyAPI's and rotom's xAI executors), and reasoning effort per Grok model.

- Dropped: `stop` (no stop sequences in Responses), `prompt_cache_retention`,
  `safety_identifier`, `stream_options`, `service_tier`.
- `previous_response_id` is refused, not dropped (dialects/state.py): dropping it would
  answer the new turn without the conversation it continues.
- `tool_choice` and `parallel_tool_calls` without tools are dropped.
- `reasoning.effort` is kept only for models that take one, within their levels (the
  nearest level otherwise); for the rest it is removed, with `reasoning` if left empty.
"""

from __future__ import annotations

from typing import Any

from dragoman.dialects.state import refuse_previous_response
from dragoman.ir.request import Request
from dragoman.providers.openai.quirks import efforts_for, nearest_effort

REFUSED: tuple[str, ...] = (
    "stop",
    "prompt_cache_retention",
    "safety_identifier",
    "stream_options",
    "service_tier",
)
TOOLS_ONLY: tuple[str, ...] = ("tool_choice", "parallel_tool_calls")

# Efforts each model takes (docs.x.ai reasoning guide, as cataloged by synaps 2026-09 and
# the AI SDK's xAI provider); models not listed take none. Families are matched on whole
# id segments, so grok-4.5 covers grok-4.5-latest but not grok-4.50.
EFFORTS: dict[str, frozenset[str]] = {
    "grok-4.7": frozenset({"low", "medium", "high", "xhigh"}),
    "grok-4.6": frozenset({"low", "medium", "high"}),
    "grok-4.5": frozenset({"low", "medium", "high"}),
    "grok-4.3": frozenset({"none", "low", "medium", "high"}),
    "grok-4.20-multi-agent": frozenset({"low", "medium", "high", "xhigh"}),
    "grok-3-mini": frozenset({"low", "high"}),
}


def fix_request(body: dict[str, Any], request: Request) -> dict[str, Any]:
    refuse_previous_response(request, "xAI")
    for name in REFUSED:
        body.pop(name, None)
    if not body.get("tools"):
        for name in TOOLS_ONLY:
            body.pop(name, None)
    _fix_effort(body, efforts_for(str(body.get("model", "")), EFFORTS))
    return body


def _fix_effort(body: dict[str, Any], accepted: frozenset[str] | None) -> None:
    reasoning = body.get("reasoning")
    if not isinstance(reasoning, dict) or "effort" not in reasoning:
        return
    rest = {key: value for key, value in reasoning.items() if key != "effort"}
    if accepted is not None and isinstance(reasoning["effort"], str):
        body["reasoning"] = {**rest, "effort": nearest_effort(reasoning["effort"], accepted)}
    elif rest:
        body["reasoning"] = rest
    else:
        del body["reasoning"]
