"""The models the routing config names, checked against what the gateway serves, at
start (`server.app.load_gateway`) and when config.toml changes while serving
(`Gateway.reconfigure`).

Named: a rule's `set.model` (with its `set.provider`, as `provider/model`; a
`set.provider` alone names the provider or account only), each model of `[auto.tiers]`
and `[auto.profiles.<name>.tiers]`, each chain of `[models.fallbacks]` (its model and
every member), `[models] context_fallback` and `fallback`.

A `provider/model` is served when the provider is: a provider serves any model asked of
it by its name (`Registry._explicit`), so the model part is not checked against its list.

A name nothing serves is one of two things:
- a typo: no provider kind's built-in model data knows it, no account or provider table
  lists it, and no upstream's live model list is still to be read (one that is read
  and lacks it says no): refused (`ConfigError`, every such name in one message, with
  the closest known name);
- a model out of reach now (its provider's key variable unset, its account not added
  yet, a live list not read yet, as at start): a warning, and dragoman serves the
  rest; a request that asks for it gets the usual "not served" error until it is.

A provider name (`set.provider`) is refused when no `[providers.NAME]` table or account
has it, and a warning when the one that has it is not served now.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from dragoman.config import ConfigError, Settings
from dragoman.config.routing import RuleSet
from dragoman.policy.tiers import profile_of
from dragoman.providers import discover
from dragoman.routing.registry import Registry
from dragoman.routing.unserved import Unserved

log = logging.getLogger("dragoman.config")

TIER_FIELDS = ("simple", "medium", "complex", "reasoning")


@dataclass(frozen=True, slots=True)
class Named:
    """A model named in the config: where (`auto.tiers`) and in which field (`simple`)."""

    where: str
    field: str
    model: str  # or the provider's name, for `set.provider` alone
    provider: bool = False

    def says(self, what: str) -> str:
        return f'{self.where}: {self.field} "{self.model}" {what}'


def named_models(settings: Settings) -> Iterator[Named]:
    """Every model the routing config names, in the order of the file's sections."""
    for number, rule in enumerate(settings.routing.rules, start=1):
        if rule.set is not None:
            yield from _rule_names(f'routing.rules[{number}] "{rule.name}"', rule.set)
    auto = settings.auto
    yield from _tiers("auto.tiers", auto.tiers)
    for name, profile in auto.profiles.items():
        yield from _tiers(f"auto.profiles.{name}.tiers", profile.tiers)
    for model, chain in settings.models.fallbacks.items():
        yield Named("models.fallbacks", "chain of", model)
        yield from (Named("models.fallbacks", f'"{model}"[{n}]', link) for n, link in enumerate(chain, 1))
    for field in ("context_fallback", "fallback"):
        model = getattr(settings.models, field)
        if model is not None:
            yield Named("models", field, model)


def _rule_names(where: str, changes: RuleSet) -> Iterator[Named]:
    if changes.model is not None and changes.provider:  # served as `provider/model`
        yield Named(where, "set.provider/model", f"{changes.provider}/{changes.model}")
    elif changes.model is not None:
        yield Named(where, "set.model", changes.model)
    elif changes.provider:
        yield Named(where, "set.provider", changes.provider, provider=True)


def _tiers(where: str, tiers: object) -> Iterator[Named]:
    for tier in TIER_FIELDS:
        model = getattr(tiers, tier)
        if model is not None:
            yield Named(where, tier, model)


def check_served(settings: Settings, registry: Registry, unlisted: Sequence[str] = ()) -> None:
    """Log a warning per named model out of reach now; raise ConfigError naming every
    one nothing could serve. `unlisted`: the upstreams whose live list is still to be
    read (`Catalog.unlisted`)."""
    errors, warnings = unserved(settings, registry, unlisted)
    for warning in warnings:
        log.warning("%s", warning)
    if errors:
        raise ConfigError("\n".join(errors))


def unserved(
    settings: Settings, registry: Registry, unlisted: Sequence[str] = ()
) -> tuple[list[str], list[str]]:
    """(errors, warnings) for the named models nothing serves now."""
    known = Known(settings, registry, unlisted)
    errors: list[str] = []
    warnings: list[str] = []
    for named in named_models(settings):
        problem = known.provider_problem(named.model) if named.provider else known.problem(named.model)
        if problem is None:
            continue
        fatal, what = problem
        (errors if fatal else warnings).append(named.says(what))
    return errors, warnings


class Known:
    """What the gateway serves now, and what it could serve: the registry, the accounts
    and provider tables left out, the built-in model data of every provider kind."""

    def __init__(self, settings: Settings, registry: Registry, unlisted: Sequence[str]) -> None:
        self.registry = registry
        self.profiles = set(settings.auto.profiles)
        specs = discover()
        self.built_in = {info.id for spec in specs.values() for info in spec.models}
        # An account left out serves its own list, else its kind's built-in one.
        self.listed: dict[str, Unserved] = {}
        for item in registry.unserved:
            spec = specs.get(item.kind)
            models = item.models or (tuple(info.id for info in spec.models) if spec else ())
            self.listed.update((model, item) for model in models if model not in self.listed)
        self.unlisted = list(unlisted)
        self.left_out = {item.name: item for item in registry.unserved}

    def problem(self, model: str) -> tuple[bool, str] | None:
        """None when `model` is served; else (fatal, what is wrong)."""
        profile = profile_of(model)
        if profile is not None:
            return self._profile(profile)
        if self.registry.serves(model):
            return None
        unserved = self.listed.get(model) or self._left_out_provider(model)
        if unserved is not None:
            return False, f"is served by no provider now: {unserved.name} is not served: {unserved.reason}"
        if model in self.built_in:
            return False, "is served by no provider now: no configured provider or account serves it"
        if self.unlisted:
            pending = ", ".join(self.unlisted)
            return False, f"is served by no provider now (unless the live model list of {pending} has it)"
        return True, "is served by no provider" + self._close(model)

    def provider_problem(self, name: str) -> tuple[bool, str] | None:
        """None when the provider or account `name` is served; else (fatal, what is wrong)."""
        if self.registry.upstream(name) is not None:
            return None
        left_out = self.left_out.get(name)
        if left_out is not None:
            return False, f"is not served now: {left_out.reason}"
        names = [upstream.name for upstream in self.registry.upstreams] + list(self.left_out)
        close = difflib.get_close_matches(name, names, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return True, f"names no [providers.NAME] table or account{hint}"

    def _left_out_provider(self, model: str) -> Unserved | None:
        """The provider left out that a `provider/model` name asks for, if any."""
        prefix, slash, _ = model.partition("/")
        return self.left_out.get(prefix) if slash else None

    def _profile(self, profile: str) -> tuple[bool, str] | None:
        if not profile or profile in self.profiles:
            return None
        close = difflib.get_close_matches(profile, self.profiles, n=1)
        hint = f" (did you mean auto/{close[0]}?)" if close else ""
        return True, f"names no profile of [auto.profiles]{hint}"

    def _close(self, model: str) -> str:
        # What is served first: the likeliest meant, then what could be.
        for names in (self.registry.model_ids(), [*self.listed, *self.built_in]):
            close = difflib.get_close_matches(model, names, n=1)
            if close:
                return f" (did you mean {close[0]}?)"
        return ""
