"""`[[routing.rules]]` matched against a request: in order, the first whose every
`match` field holds applies.

What a rule looks at beyond the request (`Asked`) is read only when a rule asks for
it: the client family from the user agent (`observe.traces.clients`, the names the
traces show), the local key's name, a header; the token estimate is made once and
shared with the classifier.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from dragoman.config.routing import Rule, RuleMatch
from dragoman.ir.request import Request
from dragoman.ir.tokens import estimate
from dragoman.observe.traces.clients import family
from dragoman.policy.signals import has_images


@dataclass(slots=True)
class Asked:
    """How a request came: its dialect, headers (case-insensitive), local key's name."""

    dialect: str
    headers: Mapping[str, str] | None = None
    key: Callable[[], str] | None = None
    _tokens: int | None = field(default=None, init=False)

    def tokens(self, request: Request) -> int:
        if self._tokens is None:
            self._tokens = estimate(request)
        return self._tokens

    def header(self, name: str) -> str | None:
        return self.headers.get(name) if self.headers is not None else None

    def key_name(self) -> str:
        return self.key() if self.key is not None else "-"


def first_match(rules: list[Rule], request: Request, asked: Asked) -> Rule | None:
    for rule in rules:
        if matches(rule.match, request, asked):
            return rule
    return None


def matches(match: RuleMatch, request: Request, asked: Asked) -> bool:
    """Every field the rule gives holds; the cheap ones are checked first."""
    return (
        (match.dialect is None or match.dialect == asked.dialect)
        and (match.model is None or fnmatchcase(request.model.lower(), match.model.lower()))
        and (match.tools is None or match.tools == bool(request.tools))
        and (match.client is None or match.client == (family(asked.header("user-agent")) or "other"))
        and (match.key is None or match.key == asked.key_name())
        and all(asked.header(name) == value for name, value in match.header.items())
        and (match.images is None or match.images == has_images(request))
        and (match.min_tokens is None or asked.tokens(request) >= match.min_tokens)
    )
