"""`POST /v1/messages/count_tokens`: the body is a Messages request without `max_tokens`,
the answer `{"input_tokens": N}`. Also the same call made to an Anthropic upstream.
"""

from __future__ import annotations

from typing import Any

from dragoman.dialects.anthropic import request as messages
from dragoman.ir.errors import UpstreamError
from dragoman.ir.request import Request

# The fields count_tokens accepts, of those `request.render` writes.
_UPSTREAM_FIELDS = ("model", "messages", "system", "tools", "tool_choice", "thinking", "output_config")


def parse(body: Any) -> Request:
    """The request whose prompt a client wants counted."""
    return messages.parse_body(body, require_max_tokens=False)


def render(input_tokens: int) -> dict[str, Any]:
    """The answer a client receives."""
    return {"input_tokens": input_tokens}


def upstream_path(model: str) -> str:
    return "/messages/count_tokens"


def render_upstream(request: Request, *, model: str, origin: str) -> dict[str, Any]:
    """The body to ask an Anthropic upstream for the count."""
    body = messages.render(request, model=model, origin=origin)
    return {key: body[key] for key in _UPSTREAM_FIELDS if key in body}


def parse_upstream(body: Any) -> int:
    """The count in an Anthropic upstream's answer."""
    count = body.get("input_tokens") if isinstance(body, dict) else None
    if not isinstance(count, int) or isinstance(count, bool):
        raise UpstreamError("the upstream's count_tokens answer has no input_tokens")
    return count
