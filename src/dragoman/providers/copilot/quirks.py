"""Which of Copilot's endpoints serves a model (upstreams.md §9, runtimes.md §1.1):
Claude models on the native Anthropic Messages endpoint (`/v1/messages`: no translation
for Claude clients, thinking signatures kept), Codex models on Responses (the only API
they answer on), every other model on Chat Completions."""

from __future__ import annotations

from typing import Any

from dragoman.ir.request import Request
from dragoman.providers.anthropic.quirks import fix_request as fix_anthropic

PATHS = {
    "anthropic": "/v1/messages",
    "openai_responses": "/responses",
    "openai_chat": "/chat/completions",
}


def dialect_for(model: str, configured: str = "openai_chat") -> str:
    """The model decides, whatever dialect the account was configured with: each of
    Copilot's endpoints serves only its own families."""
    if model.startswith("claude-"):
        return "anthropic"
    if "codex" in model:
        return "openai_responses"
    return "openai_chat"


def upstream_path(model: str, stream: bool) -> str:
    return PATHS[dialect_for(model)]


def fix_request(body: dict[str, Any], request: Request) -> dict[str, Any]:
    if dialect_for(request.model) == "anthropic":
        # The same Claude models with the same rules as Anthropic's own API.
        return fix_anthropic(body, request)
    return body
