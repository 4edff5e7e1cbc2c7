"""One stored response as the rest of dragoman sees it, apart from the store itself:
a gateway imports this on every start, and SQLAlchemy only when it stores one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class StoredResponse:
    """One stored response: the Response object as its client got it, and its input."""

    id: str
    created_at: float
    key: str
    account: str
    kept: bool
    previous_response_id: str | None
    response: dict[str, Any]
    input: list[dict[str, Any]]
    # False while `input` is the items as the client sent them: each gets its id off the
    # request path (`server.responses.keeper`), before it is written or first read.
    listed: bool = True
