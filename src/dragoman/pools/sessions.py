"""The session a request belongs to, so a conversation stays on one account: its prompt
cache stays warm there, and its continuation state stays reachable.

The sources, in precedence (pools.md §3b, checked against the captured clients):

    x-claude-code-session-id       header   Claude Code
    metadata.user_id               body     Claude Code: a JSON string with `session_id`
                                            (since 2.1.78), or `user_…_account_…_session_<uuid>`
    session-id, session_id         header   Codex CLI and Desktop
    prompt_cache_key               body     Codex (equal to its session id), SDK users
    x-session-affinity             header   OpenCode
    x-session-id                   header   Kilo
    session_id, sessionId          body     clients that put it in the body
    request.session_id, …Id        body     Code Assist's wrapped request
    conversation, conversation.id  body     Responses conversations
    (derived)                               the conversation's opening (opening.py)

Headers are looked up by lower-case name: pass Starlette's `Headers` (case-insensitive)
or a dict built from the ASGI scope. Every key is scoped by the local key's name, so
two users' conversations never share a binding. A value longer than 128 characters is
replaced by its hash, so a client cannot make bindings arbitrarily large.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from hashlib import blake2b
from typing import Any

import orjson

from dragoman.pools.opening import opening_key

LONGEST = 128
DERIVED = "opening"
LEGACY_MARK = "_session_"


@dataclass(frozen=True, slots=True)
class SessionKey:
    key: str  # what a binding is stored under: "<local key>:<session>"
    source: str  # where the session came from, for the request's log line


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    return None


def claude_session(value: object) -> str | None:
    """The session id inside Claude Code's `metadata.user_id`, in either of its forms."""
    if not isinstance(value, str):
        return None
    if value.startswith("{"):
        try:
            parsed = orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
        return _text(parsed.get("session_id")) if isinstance(parsed, dict) else None
    _, mark, session = value.rpartition(LEGACY_MARK)
    return _text(session) if mark else None


def conversation_id(value: object) -> str | None:
    return _text(value.get("id")) if isinstance(value, Mapping) else _text(value)


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    header: str | None = None
    path: tuple[str, ...] = ()
    parse: Callable[[object], str | None] = _text


SOURCES: tuple[Source, ...] = (
    Source("x-claude-code-session-id", header="x-claude-code-session-id"),
    Source("metadata.user_id", path=("metadata", "user_id"), parse=claude_session),
    Source("session-id", header="session-id"),
    Source("session_id", header="session_id"),
    Source("prompt_cache_key", path=("prompt_cache_key",)),
    Source("x-session-affinity", header="x-session-affinity"),
    Source("x-session-id", header="x-session-id"),
    Source("body.session_id", path=("session_id",)),
    Source("body.sessionId", path=("sessionId",)),
    Source("request.session_id", path=("request", "session_id")),
    Source("request.sessionId", path=("request", "sessionId")),
    Source("conversation", path=("conversation",), parse=conversation_id),
)


# The headers a session may come in, as ASGI gives names (lower-case bytes).
HEADERS = frozenset(source.header.encode("latin-1") for source in SOURCES if source.header)


def session_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """The session headers of an ASGI scope's `headers`, in one pass: cheaper than
    looking each name up in Starlette's `Headers`, which scans them all per name."""
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in raw if name in HEADERS}


def session_key(
    headers: Mapping[str, str],
    body: object,
    dialect: str,
    local_key: str,
    sources: tuple[Source, ...] = SOURCES,
) -> SessionKey | None:
    """The first session id a source gives, else one derived from the opening; None for
    a request with neither (a model list, an empty body)."""
    for source in sources:
        raw = headers.get(source.header) if source.header else _dig(body, source.path)
        value = source.parse(raw) if raw is not None else None
        if value:
            return SessionKey(_scoped(local_key, value), source.name)
    derived = opening_key(body, dialect)
    return SessionKey(f"{local_key}:~{derived}", DERIVED) if derived else None


def _dig(body: object, path: tuple[str, ...]) -> Any:
    for step in path:
        if not isinstance(body, dict):  # what orjson parsed; `Mapping` costs 10x more
            return None
        body = body.get(step)
    return body


def _scoped(local_key: str, value: str) -> str:
    if len(value) > LONGEST:
        value = "#" + blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return f"{local_key}:{value}"
