"""Conversation affinity for subscription backends: one stable key per conversation.

Codex and Grok route a conversation's turns to the same cache by a session id (the
`session_id` / `x-grok-conv-id` header and `prompt_cache_key`). A client that sends its
own `prompt_cache_key` (Codex CLI sends its conversation id) keeps it; otherwise the
key is derived from what every turn of a conversation repeats: the instructions and
its first user message.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import orjson


def conversation_key(body: dict[str, Any]) -> str:
    """The body's `prompt_cache_key`, else a UUID derived from the conversation's start."""
    given = body.get("prompt_cache_key")
    if isinstance(given, str) and given:
        return given
    items = body.get("input")
    first = next((item for item in items if _is_user(item)), None) if isinstance(items, list) else items
    seed = orjson.dumps([body.get("instructions"), first], option=orjson.OPT_SORT_KEYS)
    return str(uuid.UUID(bytes=hashlib.sha256(seed).digest()[:16], version=4))


def _is_user(item: Any) -> bool:
    return isinstance(item, dict) and item.get("role") == "user"
