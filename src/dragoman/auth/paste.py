"""What a user pastes back after logging in in a browser elsewhere (oauth.md §0).

Accepted, in this order: the full redirected URL (with or without its scheme), a query
string holding `code=` (a `#fragment` after it ignored), the `code#state` a provider's
code page prints, or the bare code (oauth.md lists `#` before `code=`; a query with a
fragment reads right only this way round). A pasted state must be this login's own; a
paste without one is taken as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

# `localhost:1455/auth/callback?...`, `127.0.0.1:56121/callback?...`: a URL without scheme.
_HOST_PATH = re.compile(r"^[A-Za-z0-9.\-\[\]:]+(?::\d+)?/[^\s]*\?")


class PasteError(ValueError):
    """A paste that cannot finish this login (no code, an error, another login's state)."""


@dataclass(frozen=True, slots=True)
class Pasted:
    code: str
    state: str | None


def parse_paste(text: str) -> Pasted:
    """The code and state in what was pasted; PasteError if it holds no code."""
    value = text.strip().strip("\"'")
    if not value:
        raise PasteError("nothing was pasted")
    if value.startswith(("http://", "https://")) or _HOST_PATH.match(value):
        url = value if "://" in value else f"http://{value}"
        return _from_query(urlsplit(url).query)
    if "code=" in value:
        query = value.partition("?")[2] if "?" in value else value
        return _from_query(query.partition("#")[0])
    if "#" in value:
        code, _, state = value.partition("#")
        return _checked(code, state or None)
    return _checked(value, None)


def check_state(pasted: Pasted, expected: str) -> str:
    """The pasted code, if its state (when it has one) is this login's."""
    if pasted.state is not None and pasted.state != expected:
        raise PasteError("state mismatch: this code belongs to another login attempt; start again")
    return pasted.code


def _from_query(query: str) -> Pasted:
    params = parse_qs(query, keep_blank_values=True)
    if "error" in params:
        detail = (params.get("error_description") or params["error"])[0]
        raise PasteError(f"the provider refused the login: {detail}")
    code = (params.get("code") or [""])[0]
    states = params.get("state")
    return _checked(code, states[0] if states else None)


def _checked(code: str, state: str | None) -> Pasted:
    code = code.strip()
    if not code or any(char.isspace() for char in code):
        raise PasteError("no authorization code found in what was pasted")
    return Pasted(code, state.strip() if state else None)
