"""The model registry: one list of every model every upstream serves.

Resolving a client's model name, in order: `provider/model` selects a provider
explicitly; an alias is rewritten; the id is looked up across upstreams in configured
order (the first is the primary, the others its fallbacks); an unknown id goes to the
configured fallback model, if any, else it is an error listing what is served. Where a
request goes when its model cannot serve it is `chains` (`routing.chains`).

An alias named like a real model id wins: the user wrote it on purpose (Claude Code
asking for a Claude id is sent elsewhere), so the listing shows the alias instead of
the real id (an alias whose target is not served hides nothing). `provider/id` still
reaches the real model of a provider that serves it.

Live model lists only add: an upstream serves a model its own list (built in or
configured) names before any upstream that serves it only because its live list says
so. A model's primary is then the same before and after the live lists arrive (an
aggregator listing Claude ids never takes them from the Anthropic provider configured
after it), and what the listing shows is what serves it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from dragoman.config import ModelsConfig
from dragoman.ir.errors import ModelNotFound
from dragoman.ir.models import ModelCard, ModelInfo
from dragoman.providers.upstream import Upstream
from dragoman.routing.chains import Chains
from dragoman.routing.unserved import Unserved


@dataclass(frozen=True, slots=True)
class Route:
    """One way to serve a request: this upstream, under this model id."""

    upstream: Upstream
    model: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A row of the model list: an id a client can ask for, and what serves it."""

    id: str
    upstream: Upstream
    info: ModelInfo
    alias_of: str | None = None


class Registry:
    def __init__(
        self,
        upstreams: list[Upstream],
        models: ModelsConfig,
        live_only: Mapping[str, Collection[str]] | None = None,
        unserved: Sequence[Unserved] = (),
    ) -> None:
        """`live_only`: by upstream name, the ids it serves only because its live list
        names them; they rank after every upstream's own models. `unserved`: accounts
        known but not served, for listings only."""
        self.upstreams = upstreams
        self.unserved = list(unserved)
        self._aliases = dict(models.aliases)
        self._fallback = models.fallback
        self.chains = Chains(models)
        self._by_name = {upstream.name: upstream for upstream in upstreams}
        self._routes: dict[str, list[Route]] = {}
        self._info: dict[str, tuple[Upstream, ModelInfo]] = {}
        # Listed in configured order, whatever tier serves each id.
        for model_id in dict.fromkeys(info.id for upstream in upstreams for info in upstream.models):
            self._routes[model_id] = []
        for upstream, info in _ranked(upstreams, live_only or {}):
            self._routes[info.id].append(Route(upstream, info.id))
            self._info.setdefault(info.id, (upstream, info))

    def resolve(self, name: str) -> list[Route]:
        """The routes for a client's model name, best first. Raises ModelNotFound."""
        routes = (
            self._explicit(name) or self._routes.get(self._aliases.get(name, name)) or self._routes.get(name)
        )
        if routes:
            return routes
        if self._fallback and self._fallback in self._routes:
            return self._routes[self._fallback]
        raise ModelNotFound(self._not_found_message(name))

    def serves(self, name: str) -> bool:
        """Whether a client's model name is served as it is (`[models] fallback` aside)."""
        # `resolve`'s first step, repeated there rather than called: it is on every request.
        return bool(
            self._explicit(name) or self._routes.get(self._aliases.get(name, name)) or self._routes.get(name)
        )

    def entries(self) -> list[Entry]:
        """Every servable id once, with what serves it: real models first, then aliases
        (one named like a real model instead of it)."""
        aliases = {alias: target for alias, target in self._aliases.items() if target in self._info}
        rows = [
            Entry(model_id, *self._info[model_id]) for model_id in self._routes if model_id not in aliases
        ]
        rows += [Entry(alias, *self._info[target], alias_of=target) for alias, target in aliases.items()]
        return rows

    def window(self, model_id: str) -> int | None:
        """The context window of a served model id, in tokens, when the model data knows it."""
        known = self._info.get(model_id)
        return known[1].context_window if known is not None else None

    def output_limit(self, model_id: str) -> int | None:
        """The most output tokens a served model id gives one answer, when the model data knows it."""
        known = self._info.get(model_id)
        return known[1].max_output_tokens if known is not None else None

    def upstream(self, name: str) -> Upstream | None:
        """The upstream configured under this name (`[providers.NAME]` or an account label)."""
        return self._by_name.get(name)

    def cards(self) -> list[ModelCard]:
        return [ModelCard(entry.id, entry.upstream.name, entry.info) for entry in self.entries()]

    def model_ids(self) -> list[str]:
        return [entry.id for entry in self.entries()]

    def primaries(self) -> dict[str, str]:
        """Each served id (aliases too) and the name of the upstream that serves it first."""
        return {entry.id: entry.upstream.name for entry in self.entries()}

    def _explicit(self, name: str) -> list[Route] | None:
        prefix, slash, model = name.partition("/")
        upstream = self._by_name.get(prefix) if slash else None
        if upstream is None:
            return None
        if any(info.id == model for info in upstream.models):
            return [Route(upstream, model)]
        return [Route(upstream, self._aliases.get(model, model))]

    def _not_found_message(self, name: str) -> str:
        served = self.model_ids()
        if not served:
            return (
                f"model {name!r} is not served: no provider is configured yet. "
                "Add a [providers.NAME] table to the file `dragoman config path` prints."
            )
        return f"model {name!r} is not served here. Models served: {', '.join(served)}"


def _ranked(
    upstreams: list[Upstream], live_only: Mapping[str, Collection[str]]
) -> list[tuple[Upstream, ModelInfo]]:
    """Every (upstream, model) pair, each upstream's own models before any live-only one."""
    pairs = [(upstream, info) for upstream in upstreams for info in upstream.models]
    own = [(up, info) for up, info in pairs if info.id not in live_only.get(up.name, ())]
    added = [(up, info) for up, info in pairs if info.id in live_only.get(up.name, ())]
    return [*own, *added]
