"""The price table: the built-in data, model matching, config overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from dragoman.config import ConfigError, load
from dragoman.observe import prices
from dragoman.observe.prices import Price, PriceTable, builtin_prices, variants
from dragoman.providers import discover
from dragoman.server.app import build_gateway, create_app


def test_the_packaged_table_loads_and_names_its_sources() -> None:
    table = builtin_prices()
    assert len(table) >= 30
    assert all(price.source for price in table.values())
    assert table["claude-opus-5-5"] == Price(
        source=table["claude-opus-5-5"].source,
        input=4,
        cache_write=5,
        cache_write_1h=8,
        cache_read=0.2,
        output=20,
    )


def test_every_built_in_model_of_every_provider_has_a_price() -> None:
    """But image models (priced per image, not per token) and a vendor's router (its
    `auto` is whatever model the vendor picks)."""
    models = [model for spec in discover().values() for model in spec.models]
    listed = {model.id for model in models if not (model.images or model.router)}
    assert listed, "the providers list their models"
    table = PriceTable()
    assert sorted(model for model in listed if table.schedule(model) is None) == []


@pytest.mark.parametrize(
    ("asked", "found"),
    [
        ("claude-sonnet-4-5", "claude-sonnet-4-5"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("Claude-Sonnet-4-5@20250929", "claude-sonnet-4-5"),
        ("anthropic/claude-opus-5-5", "claude-opus-5-5"),
        ("claude-opus-5-5[1m]", "claude-opus-5-5"),
        ("models/gemini-2.5-pro", "gemini-2.5-pro"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("gpt-5-latest", "gpt-5"),
        ("copilot/claude-haiku-4.5", "claude-haiku-4-5"),
    ],
)
def test_dated_and_prefixed_ids_find_their_model(asked: str, found: str) -> None:
    schedule = PriceTable().schedule(asked)
    assert schedule is not None and schedule.model == found


@pytest.mark.parametrize("asked", ["llama3.2", "claude-sonnet-4-5-x", "gpt-4o-mini-x", "", "gpt-4"])
def test_a_model_with_no_price_has_none(asked: str) -> None:
    assert PriceTable().schedule(asked) is None


def test_variants_go_from_the_id_to_its_shortest_form() -> None:
    assert variants("openai/GPT-4o-2024-08-06") == ["openai/gpt-4o-2024-08-06", "gpt-4o-2024-08-06", "gpt-4o"]


def test_config_exact_ids_replace_built_ins_and_globs_price_the_rest() -> None:
    cheap = Price(input=1, output=2)
    table = PriceTable(
        {"claude-sonnet-4-5": cheap, "llama*": Price(input=0, output=0), "*": Price(input=9, output=9)}
    )
    assert table.price("claude-sonnet-4-5-20250929") == cheap
    assert table.price("llama3.2") == Price(input=0, output=0)  # globs in the order written
    assert table.price("gpt-5") == builtin_prices()["gpt-5"]  # a glob never hides a built-in price
    assert table.price("mystery") == Price(input=9, output=9)


def test_absent_rates_fall_back() -> None:
    schedule = PriceTable({"m": Price(input=2, output=8, cache_write=2.5)}).schedule("m")
    assert schedule is not None
    usual = schedule.usual
    assert (usual.cache_read, usual.cache_write_1h, usual.reasoning) == (2e-6, 2.5e-6, 8e-6)


def test_the_long_context_band_starts_past_its_threshold() -> None:
    schedule = PriceTable().schedule("claude-haiku-5-5")
    assert schedule is not None
    assert schedule.tariff(100_000).input == pytest.approx(0.1e-6)
    assert schedule.tariff(100_001).input == pytest.approx(0.5e-6)
    assert schedule.tariff(100_001).cache_read == pytest.approx(0.05e-6)


def test_answers_are_remembered_per_model() -> None:
    table = PriceTable()
    first = table.schedule("gpt-5-2025-08-07")
    assert first is not None and table.schedule("gpt-5-2025-08-07") is first
    assert table.schedule("llama3.2") is None and "llama3.2" in table._schedules


@pytest.mark.parametrize(
    "bad", [{"input": -1, "output": 1}, {"input": 1}, {"input": 1, "output": 1, "inputs": 2}]
)
def test_a_malformed_price_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Price.model_validate(bad)


def test_config_toml_prices_reach_the_running_gateway(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True, exist_ok=True)
    (dragoman_home / "config.toml").write_text(
        """
[prices."my-local-*"]
input = 0.5
output = 1.5
[prices."claude-sonnet-5"]
source = "our negotiated rate"
input = 1.0
output = 5.0
long_context = { above = 500000, input = 2.0, output = 10.0 }
""",
    )
    settings = load()
    create_app(build_gateway(settings, environ={}))
    try:
        assert prices.active().price("my-local-model") == Price(input=0.5, output=1.5)
        sonnet = prices.active().price("claude-sonnet-5")
        assert sonnet is not None and sonnet.source == "our negotiated rate"
    finally:
        prices.use({})


def test_a_price_with_an_unknown_field_is_a_config_error(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True, exist_ok=True)
    (dragoman_home / "config.toml").write_text('[prices."m"]\ninput = 1\noutput = 2\ncache_hit = 3\n')
    with pytest.raises(ConfigError, match="cache_hit"):
        load()
