"""The Codex backend's body rules (upstreams.md §1.3, from CLIProxyAPI, pi and rotom).

- `instructions` is required and never empty: the client's system text, else a
  neutral default; later system turns go in as `developer` items.
- `store` must be false and `stream` true (the relay folds the stream for clients that
  did not ask for one); `previous_response_id` cannot work without storage, so a
  request that names one is refused (`dialects.state`), never sent without its context.
- Controls the backend refuses are dropped: output limits, sampling, truncation,
  context management, cache retention options, `user`, `service_tier` unless
  "priority", and per-part `prompt_cache_breakpoint`.
- `include` is exactly `["reasoning.encrypted_content"]`, so reasoning survives the
  stateless replay; `prompt_cache_key` keeps a conversation on one cache.
- Reasoning effort and the reasoning models' sampling rules are OpenAI's own.
"""

from __future__ import annotations

from typing import Any

from dragoman.dialects.state import refuse_previous_response
from dragoman.ir.request import Request
from dragoman.providers.affinity import conversation_key
from dragoman.providers.openai.quirks import fix_request as fix_openai

DEFAULT_INSTRUCTIONS = "You are a helpful assistant."

REFUSED: tuple[str, ...] = (
    "max_output_tokens",
    "max_completion_tokens",
    "max_tool_calls",
    "temperature",
    "top_p",
    "top_logprobs",
    "stop",
    "truncation",
    "context_management",
    "prompt_cache_options",
    "prompt_cache_retention",
    "safety_identifier",
    "stream_options",
    "user",
    "background",
    "generate",
)
TOOLS_ONLY: tuple[str, ...] = ("tool_choice", "parallel_tool_calls")


def fix_request(body: dict[str, Any], request: Request) -> dict[str, Any]:
    refuse_previous_response(request, "the Codex backend")
    body = fix_openai(body, request)
    if not isinstance(body.get("instructions"), str) or not body["instructions"].strip():
        body["instructions"] = DEFAULT_INSTRUCTIONS
    if isinstance(body.get("input"), str):
        body["input"] = [
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": body["input"]}]}
        ]
    for item in body.get("input") or ():
        _fix_item(item)
    for name in REFUSED:
        body.pop(name, None)
    if body.get("service_tier") != "priority":
        body.pop("service_tier", None)
    if not body.get("tools"):
        for name in TOOLS_ONLY:
            body.pop(name, None)
    body.update(store=False, stream=True, include=["reasoning.encrypted_content"])
    body["prompt_cache_key"] = conversation_key(body)
    return body


def _fix_item(item: Any) -> None:
    if not isinstance(item, dict):
        return
    if item.get("role") == "system":
        item["role"] = "developer"
    content = item.get("content")
    if isinstance(content, list):
        for part in content:
            if isinstance(part, dict):
                part.pop("prompt_cache_breakpoint", None)
