"""Loops in `[models.fallbacks]`, found when the config is read.

Chains follow on: when `gpt-5.5` falls back to `claude-sonnet-4-5` and that model has a
chain of its own, the request goes on down that one too (`routing.chains`). A chain that
leads back to a model already left would send a request round in circles, so the config
is refused, naming the loop. Aliases count as the model they name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def chain_loop(fallbacks: Mapping[str, Sequence[str]], aliases: Mapping[str, str]) -> list[str]:
    """The first loop found, as the names walked (`a -> b -> a`); [] when there is none."""
    edges: dict[str, list[str]] = {}
    for model, chain in fallbacks.items():
        edges.setdefault(aliases.get(model, model), []).extend(aliases.get(name, name) for name in chain)
    done: set[str] = set()
    for start in edges:
        loop = _walk(start, edges, [], done)
        if loop:
            return loop
    return []


def _walk(model: str, edges: Mapping[str, list[str]], path: list[str], done: set[str]) -> list[str]:
    """Depth first from `model`; `path`: the models walked to reach it."""
    if model in path:
        return [*path[path.index(model) :], model]
    if model in done:
        return []
    path.append(model)
    for following in edges.get(model, ()):
        loop = _walk(following, edges, path, done)
        if loop:
            return loop
    path.pop()
    done.add(model)
    return []
