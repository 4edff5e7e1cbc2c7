"""Whether a request is a call a client made on its own (a title, a topic check, a
quota probe, a compaction): the markers are data, `background.toml` beside this module,
read once. Any rule whose conditions all hold makes the request a background call."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from dragoman.ir.messages import Message, Text
from dragoman.ir.request import Request


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    system: str | None = None
    text: str | None = None
    text_is: str | None = None
    model: str | None = None
    no_tools: bool = False
    max_tokens_at_most: int | None = None
    format_fields: tuple[str, ...] | None = None

    def matches(self, request: Request, last: Message) -> bool:
        checks = (
            self.system is None or self.system in _system(request),
            self.text is None or self.text in _text(last),
            self.text_is is None or _text(last).strip().lower() == self.text_is,
            self.model is None or self.model in request.model.lower(),
            not self.no_tools or not request.tools,
            self.max_tokens_at_most is None or _at_most(request.max_tokens, self.max_tokens_at_most),
            self.format_fields is None or _fields(request) == set(self.format_fields),
        )
        return all(checks)


def background(request: Request, last: Message) -> str | None:
    """The name of the first rule `request` (whose last user message is `last`) matches."""
    return next((rule.name for rule in rules() if rule.matches(request, last)), None)


@cache
def rules() -> tuple[Rule, ...]:
    """background.toml, read and checked once."""
    text = resources.files(__package__).joinpath("background.toml").read_text(encoding="utf-8")
    return tuple(_rule(entry) for entry in tomllib.loads(text)["rule"])


def _rule(entry: dict[str, Any]) -> Rule:
    fields = entry.get("format_fields")
    return Rule(**{**entry, "format_fields": tuple(fields) if fields is not None else None})


def _system(request: Request) -> str:
    notes = [m for m in request.messages if m.role == "system"]
    return "\n".join([block.text for block in request.system] + [_text(note) for note in notes])


def _text(message: Message) -> str:
    return "\n".join(part.text for part in message.parts if isinstance(part, Text))


def _at_most(value: int | None, limit: int) -> bool:
    return value is not None and value <= limit


def _fields(request: Request) -> set[str] | None:
    form = request.response_format
    schema = form.schema if form is not None else None
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return set(properties) if isinstance(properties, dict) else None
