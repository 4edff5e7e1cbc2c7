"""The usage windows of the Claude logins clients bring (`auth = "client"` upstreams),
one entry per login, so `/v1/status` can show each person's subscription windows
(5h, weekly) as Anthropic's unified rate-limit headers report them.

A login is known only by a digest of its token (SHA-256, first 16 hex digits): the
token itself is never kept, stored or logged, and the digest cannot be turned back into
it. The entries are runtime state (`state.ClientLogins`): every worker and replica
sharing the gateway's state sees each login's windows, whichever one served it, and
they outlive a restart as the pools' windows do. At most `LIMIT` are shown, the most
recently seen first.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import Any

import orjson

from dragoman.providers.claude.usage import usage_windows
from dragoman.state import ClientLogin
from dragoman.state import ClientLogins as LoginTable

LIMIT = 1000
DIGITS = 16


class ClientLogins:
    """The logins' windows, read and written through the runtime state's `table`."""

    def __init__(self, table: LoginTable, limit: int = LIMIT) -> None:
        self.table = table
        self.limit = limit

    def observe(self, provider: str, authorization: str, headers: Mapping[str, str]) -> None:
        """Note the windows an answer to this login carries (an API key's answers carry
        none: nothing is noted)."""
        windows = usage_windows(headers)
        if windows:
            text = orjson.dumps(windows).decode()
            self.table.observe(ClientLogin(login_id(authorization), provider, text, time.time()))

    def rows(self, provider: str | None = None) -> list[dict[str, Any]]:
        """Each login seen (of `provider`, if named), most recent first, as plain data."""
        chosen = [seen for seen in self.table.all() if provider is None or seen.provider == provider]
        return [
            {
                "login": seen.login,
                "provider": seen.provider,
                "usage_seen_at": seen.seen_at,
                "usage": orjson.loads(seen.windows),
            }
            for seen in chosen[: self.limit]
        ]


def login_id(authorization: str) -> str:
    """`sha256:<16 hex digits>` of the bearer token: the same login, the same id."""
    token = authorization.partition(" ")[2].strip() or authorization.strip()
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()[:DIGITS]
