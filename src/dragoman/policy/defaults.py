"""The tier map `auto` uses where the config names no model: built from whatever the
accounts serve, so `auto` works with no configuration.

Cheapest capable first: the served models that take tools are ordered by price (the
price table's input plus output rate, `observe.prices`); `simple` gets the cheapest,
`reasoning` the dearest model that reasons (else the dearest), `medium` and `complex`
the ones a third and two thirds of the way up, `complex` preferring one that sees
images (the images floor sends image requests there). Models with no known price (a
local model, an aggregator's own ids) are left out while any is priced: nothing says
what they can do. With none priced, the registry's order stands in for price.
"""

from __future__ import annotations

from collections.abc import Callable

from dragoman.config.routing import TierName
from dragoman.ir.models import ModelInfo
from dragoman.observe.prices import Price
from dragoman.routing.registry import Registry

PriceOf = Callable[[str], Price | None]


def default_tiers(registry: Registry, price_of: PriceOf) -> dict[TierName, str]:
    """A model per tier from what `registry` serves; empty when it serves nothing."""
    served = [(entry.id, entry.info) for entry in registry.entries() if entry.alias_of is None]
    capable = [(model, info) for model, info in served if info.tools] or served
    if not capable:
        return {}
    ordered = _by_price(capable, price_of)
    if not ordered:
        ordered = capable
    last = len(ordered) - 1
    upper = (2 * last + 2) // 3  # two thirds of the way up, rounded up
    complex_pick = _prefer(ordered[upper:], lambda info: info.vision) or ordered[upper]
    reasoning_pick = _prefer(list(reversed(ordered)), lambda info: info.reasoning) or ordered[last]
    return {
        "simple": ordered[0][0],
        "medium": ordered[(last + 2) // 3][0],
        "complex": complex_pick[0],
        "reasoning": reasoning_pick[0],
    }


def _by_price(models: list[tuple[str, ModelInfo]], price_of: PriceOf) -> list[tuple[str, ModelInfo]]:
    """The priced models, cheapest first (input plus output rate); ties keep their order."""
    priced = [
        (price.input + price.output, number, pair)
        for number, pair in enumerate(models)
        if (price := price_of(pair[0])) is not None
    ]
    return [pair for _, _, pair in sorted(priced, key=lambda entry: entry[:2])]


def _prefer(
    models: list[tuple[str, ModelInfo]], wanted: Callable[[ModelInfo], bool]
) -> tuple[str, ModelInfo] | None:
    return next((pair for pair in models if wanted(pair[1])), None)
