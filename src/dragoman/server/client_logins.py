"""The usage windows of the Claude logins clients bring (`auth = "client"` upstreams),
one entry per login, so `/v1/status` can show each person's subscription windows
(5h, weekly) as Anthropic's unified rate-limit headers report them.

A login is known only by a digest of its token (SHA-256, first 16 hex digits): the
token itself is never kept, stored or logged, and the digest cannot be turned back into
it. The entries live in memory (they are re-learnt from the next answer after a
restart), at most `LIMIT` of them; the least recently seen goes first.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dragoman.providers.claude.usage import usage_windows
from dragoman.providers.subscription import UsageWindow

LIMIT = 1000
DIGITS = 16


@dataclass(frozen=True, slots=True)
class Seen:
    provider: str
    seen_at: float
    windows: list[UsageWindow]


class ClientLogins:
    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self._seen: OrderedDict[str, Seen] = OrderedDict()

    def observe(self, provider: str, authorization: str, headers: Mapping[str, str]) -> None:
        """Note the windows an answer to this login carries (an API key's answers carry
        none: nothing is noted)."""
        windows = usage_windows(headers)
        if not windows:
            return
        login = login_id(authorization)
        self._seen[login] = Seen(provider, time.time(), windows)
        self._seen.move_to_end(login)
        while len(self._seen) > self.limit:
            self._seen.popitem(last=False)

    def rows(self, provider: str | None = None) -> list[dict[str, Any]]:
        """Each login seen (of `provider`, if named), most recent first, as plain data."""
        chosen = [(login, seen) for login, seen in reversed(self._seen.items())]
        return [
            {"login": login, "provider": seen.provider, "usage_seen_at": seen.seen_at, "usage": seen.windows}
            for login, seen in chosen
            if provider is None or seen.provider == provider
        ]


def login_id(authorization: str) -> str:
    """`sha256:<16 hex digits>` of the bearer token: the same login, the same id."""
    token = authorization.partition(" ")[2].strip() or authorization.strip()
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()[:DIGITS]
