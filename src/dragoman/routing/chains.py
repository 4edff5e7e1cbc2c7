"""Fallback chains: the models a request moves on to when its own cannot serve it.

    [models.fallbacks]
    "gpt-5.5" = ["claude-sonnet-4-5", "gemini-2.5-pro"]
    "claude-sonnet-4-5" = ["claude-haiku-4-5"]

A chain is found by the name the request ended up with (after a rule or `auto` picked
it): that name as written, else the model it resolved to (an alias's target, the
`fallback` model for an unknown name, the id of `provider/id`). Chains follow on, depth
first, each model once: `gpt-5.5` above goes on to claude-sonnet-4-5, claude-haiku-4-5,
then gemini-2.5-pro. Loops are refused when the config is read (`config.chains`).

`context_fallback` comes last, for a request too long for every model before it
(`context_only`): it is no model to fall back to when accounts are merely out.
Nothing here runs for a request whose first account answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dragoman.config import ModelsConfig


@dataclass(frozen=True, slots=True)
class Link:
    """A model of a chain, by the name it is resolved with."""

    name: str
    context_only: bool = False


class Chains:
    def __init__(self, models: ModelsConfig) -> None:
        self._aliases: Mapping[str, str] = models.aliases
        self._chains: dict[str, list[str]] = {}
        for model, chain in models.fallbacks.items():
            self._chains.setdefault(self._aliases.get(model, model), []).extend(chain)
        self._context = models.context_fallback
        # Whether any request can move on at all: the one test a request pays without.
        self.empty = not self._chains and self._context is None

    def after(self, name: str, resolved: str) -> list[Link]:
        """The models a request for `name` (served as `resolved`) moves on to, in order."""
        start = self._aliases.get(name, name)
        key = start if start in self._chains else resolved
        seen = {name, start, resolved}
        links = [Link(model) for model in self._flatten(key, seen)]
        if self._context is not None and self._context not in seen:
            links.append(Link(self._context, context_only=True))
        return links

    def _flatten(self, model: str, seen: set[str]) -> list[str]:
        found: list[str] = []
        for name in self._chains.get(model, ()):
            target = self._aliases.get(name, name)
            if name in seen or target in seen:
                continue
            seen.update((name, target))
            found += [name, *self._flatten(target, seen)]
        return found
