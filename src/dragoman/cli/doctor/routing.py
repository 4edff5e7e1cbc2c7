"""The check of the models the routing config names (`policy.served`): each rule's,
tier map's and fallback chain's model, served or why not. A fail here is what makes
`serve` refuse to start (and a reload be refused); a warning is what it logs."""

from __future__ import annotations

from dragoman.cli.doctor.findings import Finding, fail, ok, warn
from dragoman.config import Settings
from dragoman.policy.served import named_models, unserved
from dragoman.routing.catalog import Catalog

TYPO = "name a model `dragoman models` lists, or fix the name: `dragoman serve` refuses to start until then"
LATER = "add the key or account that serves it: until then a request routed to it is refused"


def routing(settings: Settings, catalog: Catalog) -> list[Finding]:
    named = sum(1 for _ in named_models(settings))
    if not named:
        return []
    errors, warnings = unserved(settings, catalog.registry(), catalog.unlisted())
    found = [fail("routing", error, TYPO) for error in errors]
    found += [warn("routing", warning, LATER) for warning in warnings]
    return found or [ok("routing", f"each of the {named} models rules, tiers and chains name is served")]
