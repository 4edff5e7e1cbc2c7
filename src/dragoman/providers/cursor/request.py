"""Requests for a Cursor account are refused, in the client's own dialect, before
anything is sent (README, Cursor).

Cursor's current runtime is the cursor-agent CLI's Agent API: `POST
/agent.v1.AgentService/Run` at `agentn.global.api5.cursor.sh`, a bidirectional HTTP/2
Connect stream of protobuf messages, paced by client heartbeats (runtimes.md §3g). Its
message schema is known only from reverse engineering, in fragments; a guess would fail
in ways no test against a fake could show. Until it can be written from facts, a Cursor
route answers 400 (not 501: clients retry 5xx answers, and this one never changes).
"""

from __future__ import annotations

from typing import Any, ClassVar

from dragoman.ir.errors import InvalidRequest
from dragoman.ir.request import Request

AGENT_RUN = "/agent.v1.AgentService/Run"
REASON = (
    "dragoman can log in to Cursor and keep the login fresh, but does not speak Cursor's Agent API "
    "yet: it is a bidirectional HTTP/2 Connect stream of protobuf messages that no public source "
    "describes completely, so dragoman refuses rather than guess. Route this model to another "
    "provider; see the README's Cursor section."
)


class CursorUnsupported(InvalidRequest):
    code: ClassVar[str] = "cursor_not_supported"


def upstream_path(model: str, stream: bool) -> str:
    return AGENT_RUN


def render(request: Request, *, model: str, origin: str | None = None) -> dict[str, Any]:
    raise CursorUnsupported(REASON)
