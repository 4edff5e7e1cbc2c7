"""The default tier map: what `auto` uses with no `[auto.tiers]`, from what the
configured accounts serve, cheapest first."""

from __future__ import annotations

from typing import Any

from dragoman.config import load
from dragoman.observe import prices
from dragoman.observe.prices import Price, PriceTable
from dragoman.policy.defaults import default_tiers
from dragoman.routing.registry import Registry
from dragoman.server.app import build_gateway


def _registry(*served: list[str]) -> Registry:
    providers: dict[str, Any] = {
        f"account{number}": {
            "kind": "openai_compatible",
            "dialect": "openai_chat",
            "base_url": "http://127.0.0.1:9",
            "api_key": "sk-test-1234567890",
            "models": models,
        }
        for number, models in enumerate(served)
    }
    return build_gateway(load(overrides={"providers": providers}, environ={}), environ={}).registry


def _price(total: float) -> Price:
    return Price(input=total / 2, output=total / 2)


def test_tiers_climb_from_the_cheapest_served_model() -> None:
    table = PriceTable(
        {"cheap": _price(1), "mid": _price(5), "upper": _price(10), "top": _price(40)}, builtin={}
    )
    registry = _registry(["top", "cheap"], ["upper", "mid"], ["unpriced-local"])
    tiers = default_tiers(registry, table.price)
    assert tiers == {"simple": "cheap", "medium": "mid", "complex": "upper", "reasoning": "top"}


def test_with_the_built_in_prices_the_cheapest_is_simple() -> None:
    tiers = default_tiers(_registry(["gpt-4.1", "gpt-5"], ["gemini-2.5-flash"]), prices.active().price)
    assert tiers["simple"] == "gemini-2.5-flash"
    assert set(tiers.values()) <= {"gpt-4.1", "gpt-5", "gemini-2.5-flash"}


def test_with_nothing_priced_the_registry_order_stands_in() -> None:
    tiers = default_tiers(_registry(["a", "b", "c", "d"]), PriceTable({}, builtin={}).price)
    assert tiers == {"simple": "a", "medium": "b", "complex": "c", "reasoning": "d"}


def test_one_model_serves_every_tier_and_none_serves_no_tier() -> None:
    assert set(default_tiers(_registry(["only"]), PriceTable({}, builtin={}).price).values()) == {"only"}
    assert default_tiers(_registry(), prices.active().price) == {}
