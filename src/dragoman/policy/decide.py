"""`Policy.route`: the step the relay calls before the registry resolves a model.

    rules      the first matching `[[routing.rules]]` sets model / provider / reasoning
               effort, or denies the request (PermissionDenied: 403 in its dialect)
    auto       a model still `auto` or `auto/<profile>` is classified (signals ->
               classify), held up to its session's tier (sticky), and mapped to the
               tier's model: the profile's, else `[auto.tiers]`, else the default map
    provider   `set.provider` makes the model `provider/model`, which the registry
               serves from that provider alone

With no rule configured and a model that is not auto, `route` is one comparison and
returns None: nothing else is read. The decision is what the client sees in
`x-dragoman-route` and what the trace keeps (`routing`); `dragoman route explain`
prints the same decision, made by this same code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dragoman.config.routing import AutoConfig, RoutingConfig, Rule, RuleSet, TierMap, TierName
from dragoman.ir.errors import ModelNotFound, PermissionDenied
from dragoman.ir.models import ModelCard
from dragoman.ir.request import Reasoning, Request
from dragoman.observe import prices
from dragoman.policy import sticky
from dragoman.policy.classify import classify
from dragoman.policy.defaults import default_tiers
from dragoman.policy.listing import auto_cards
from dragoman.policy.rules import Asked, first_match
from dragoman.policy.signals import Signals, signals
from dragoman.policy.tiers import TIERS, profile_of
from dragoman.pools.sessions import SessionKey
from dragoman.routing.registry import Registry
from dragoman.state.protocols import Bindings

SessionOf = Callable[[], SessionKey | None]


def is_auto(model: str) -> bool:
    return profile_of(model) is not None


@dataclass(slots=True)
class Decision:
    """Which model a request asks for now, and why."""

    requested: str
    model: str
    reason: str
    tier: TierName | None = None
    rule: str | None = None
    score: int | None = None
    contributions: dict[str, int | str] = field(default_factory=dict)
    found: Signals | None = None
    # The session's tier held this one up (it would have been lower on its own).
    sticky: bool = False
    # What the request would have run on without the policy: the model asked for (when a
    # rule sent it to auto, if served), or for auto the top tier's model (`dragoman usage
    # --savings` prices its usage there too).
    baseline: str | None = None
    # The auto profile that chose (`auto/<profile>`), None for plain auto.
    profile: str | None = None

    def header(self) -> str:
        """`x-dragoman-route`'s value."""
        return _route(self.tier, self.model, self.reason)

    def trace(self) -> dict[str, Any]:
        """What the trace keeps (`routing`)."""
        return {
            "requested": self.requested,
            "model": self.model,
            "tier": self.tier,
            "rule": self.rule,
            "reason": self.reason,
            "score": self.score,
            "scores": dict(self.contributions),
            "sticky": self.sticky,
            "baseline": self.baseline,
            "profile": self.profile,
        }


class Policy:
    """The routing rules and `[auto]`, as the relay applies them."""

    def __init__(
        self,
        auto: AutoConfig | None = None,
        routing: RoutingConfig | None = None,
        bindings: Bindings | None = None,
    ) -> None:
        self.auto = auto or AutoConfig()
        self.rules: list[Rule] = list((routing or RoutingConfig()).rules)
        self.bindings = bindings
        self._defaults: tuple[Registry | None, dict[TierName, str]] = (None, {})
        # Each profile's configured tiers ("" for plain auto), read once.
        top = _named(self.auto.tiers)
        self._configured = {"": top} | {
            name: top | _named(profile.tiers) for name, profile in self.auto.profiles.items()
        }

    def route(
        self,
        request: Request,
        registry: Registry,
        dialect: str,
        headers: Mapping[str, str] | None = None,
        key: Callable[[], str] | None = None,
        session: SessionOf | None = None,
    ) -> Decision | None:
        """Rewrite `request` (its model, reasoning effort) as the rules and `auto` say;
        None when neither applies. `headers` (case-insensitive), `key` (the local key's
        name) and `session` are read only when a rule or `auto` needs them."""
        if not self.rules and not is_auto(request.model):
            return None
        return self._decide(request, registry, Asked(dialect, headers, key), session)

    def _decide(
        self, request: Request, registry: Registry, asked: Asked, session: SessionOf | None
    ) -> Decision | None:
        requested = request.model
        rule = first_match(self.rules, request, asked)
        if rule is not None and rule.deny is not None:
            raise PermissionDenied(f"{rule.deny} (routing rule {rule.name!r})")
        changes = rule.set if rule is not None else None
        if changes is not None and changes.model is not None:
            request.model = changes.model
        if is_auto(request.model):
            decision = self._auto(request, registry, asked, session)
            if not is_auto(requested) and registry.serves(requested):
                # A rule sent a model asked for by name to auto: that model is what the
                # request would have cost, not the top tier's.
                decision.baseline = requested
        elif rule is not None:
            decision = Decision(requested, request.model, "", baseline=requested)
        else:
            return None
        decision.requested = requested
        if rule is not None:
            decision.rule = rule.name
            decision.reason = f"rule {rule.name}" + (f", {decision.reason}" if decision.reason else "")
        if changes is not None:
            _apply(request, changes)
        decision.model = request.model
        return decision

    def _auto(
        self, request: Request, registry: Registry, asked: Asked, session: SessionOf | None
    ) -> Decision:
        profile = profile_of(request.model) or ""
        tiers = self._tiers(profile, registry)
        found = signals(request, asked.tokens(request))
        result = classify(found, self.auto.floors)
        found_session = session() if session is not None else None
        key = found_session.key if found_session is not None else None
        tier, kept = sticky.settle(self.bindings, key, request.model, result.tier, self.auto.session_ttl)
        reason = result.reason() + (f", session held {tier}" if kept else "")
        chosen = tiers.get(tier)
        if chosen is None:
            raise ModelNotFound(
                f"auto has no model for tier {tier!r}: "
                "name one in [auto.tiers] or add an account that serves one"
            )
        request.model = chosen
        return Decision(
            request.model, chosen, reason, tier, None, result.score, result.contributions, found, kept,
            baseline=tiers.get("reasoning"), profile=profile or None,
        )  # fmt: skip

    def cards(self, registry: Registry, served: list[ModelCard]) -> list[ModelCard]:
        """Model-list rows for `auto` and each profile (`policy.listing`)."""
        infos = {card.id: card.info for card in served}
        profiles = ["", *self.auto.profiles]
        return auto_cards(profiles, lambda profile: self._tiers(profile, registry), infos)

    def tier_map(self, profile: str, registry: Registry) -> dict[TierName, str]:
        """The model of each tier for `auto/<profile>` ("" for plain `auto`)."""
        return self._tiers(profile, registry)

    def _tiers(self, profile: str, registry: Registry) -> dict[TierName, str]:
        configured = self._configured.get(profile)
        if configured is None:
            known = ", ".join(f"auto/{name}" for name in self.auto.profiles) or "none configured"
            raise ModelNotFound(f"no auto profile {profile!r} (profiles: {known})")
        if len(configured) == len(TIERS):
            return configured
        return {**self._default_tiers(registry), **configured}

    def _default_tiers(self, registry: Registry) -> dict[TierName, str]:
        # The registry is replaced whole when it changes: one map per registry.
        cached_for, tiers = self._defaults
        if cached_for is not registry:
            tiers = default_tiers(registry, prices.active().price)
            self._defaults = (registry, tiers)
        return tiers


def _named(tiers: TierMap) -> dict[TierName, str]:
    """The tiers a map names a model for."""
    return {tier: model for tier in TIERS if (model := getattr(tiers, tier)) is not None}


def _apply(request: Request, changes: RuleSet) -> None:
    """A rule's provider and reasoning effort (its model is applied before auto runs)."""
    if changes.reasoning_effort is not None:
        _effort(request, changes.reasoning_effort)
    if changes.provider is not None and not request.model.startswith(changes.provider + "/"):
        request.model = f"{changes.provider}/{request.model}"


def _effort(request: Request, effort: str) -> None:
    reasoning = request.reasoning or Reasoning()
    reasoning.effort = effort  # type: ignore[assignment]  # validated by the config schema
    reasoning.budget_tokens = None  # the effort decides; ir.reasoning converts it where needed
    reasoning.enabled = effort != "none"
    request.reasoning = reasoning


def headers_of(decision: Decision | None) -> Mapping[str, str] | None:
    """The response headers a decision adds."""
    return {"x-dragoman-route": decision.header()} if decision is not None else None


def error_headers_of(routing: Mapping[str, Any] | None) -> Mapping[str, str]:
    """The headers an error answer adds for the decision the trace keeps (`Decision.trace`):
    a request routed then refused (its tier's model out, too long) says where it went."""
    if routing is None:
        return {}
    return {"x-dragoman-route": _route(routing["tier"], routing["model"], routing["reason"])}


def _route(tier: str | None, model: str, reason: str) -> str:
    return f"tier={tier or '-'}; model={model}; reason={reason}"
