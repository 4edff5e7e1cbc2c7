"""The Grok CLI chat service takes xAI's Responses bodies (upstreams.md §6): xAI's own
rules apply (providers/xai/quirks.py), and `prompt_cache_key` keeps a conversation on
one cache, as `x-grok-conv-id` does for routing."""

from __future__ import annotations

from typing import Any

from dragoman.ir.request import Request
from dragoman.providers.affinity import conversation_key
from dragoman.providers.xai.quirks import fix_request as fix_xai


def fix_request(body: dict[str, Any], request: Request) -> dict[str, Any]:
    body = fix_xai(body, request)
    body["prompt_cache_key"] = conversation_key(body)
    return body
