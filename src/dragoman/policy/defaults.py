"""The tier map `auto` uses where the config names no model: built from whatever the
accounts serve, so `auto` works with no configuration.

Cheapest capable first: the served models that take tools are ordered by price (the
price table's input plus output rate, `observe.prices`); `simple` gets the cheapest,
`reasoning` the dearest model that reasons (else the dearest), `medium` and `complex`
the ones a third and two thirds of the way up, `complex` preferring one that sees
images (the images floor sends image requests there). Models with no known price come
after the priced ones, in the registry's order; with none priced, the registry's order
stands in for price.
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
    def cost(numbered: tuple[int, tuple[str, ModelInfo]]) -> tuple[int, float, int]:
        number, (model, _) = numbered
        price = price_of(model)
        return (1, 0.0, number) if price is None else (0, price.input + price.output, number)

    return [pair for _, pair in sorted(enumerate(models), key=cost)]


def _prefer(
    models: list[tuple[str, ModelInfo]], wanted: Callable[[ModelInfo], bool]
) -> tuple[str, ModelInfo] | None:
    return next((pair for pair in models if wanted(pair[1])), None)
