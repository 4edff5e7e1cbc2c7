"""What a model's tokens cost at API list prices: the built-in table and its overrides.

The built-in prices are data (`prices.toml`, beside this module, with the source of
each), read once. `[prices."<model or glob>"]` in config.toml adds or replaces
entries with the same fields. A model is found by, in turn:

1. its exact id, then the variants a client or upstream may send for it: lower case,
   without a `provider/` or `models/` prefix, a `[1m]`-style suffix, a date
   (`claude-sonnet-4-5-20250929`, `gpt-4o-2024-08-06`, `...@20250929`) or `-latest`;
   each variant is looked up in the config's exact ids first, then the built-in ones;
2. the config's globs (`"llama*"`, `"my-proxy/*"`), in the order written.

A model found nowhere has no price, and so no cost estimate: better none than a
wrong one. Every answer is kept per model id, so the lookup on the request path is
one dict read after the first.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

PerMillion = Annotated[float, Field(ge=0, allow_inf_nan=False)]
_DATED = re.compile(r"[-@](\d{8}|\d{4}-\d{2}-\d{2})$")
_BRACKETED = re.compile(r"\[[^\]]*\]$")
_GLOB = re.compile(r"[*?\[]")
_DOTTED_CLAUDE = re.compile(r"^(claude-[a-z]+-\d+)\.(\d+)")
# Model ids seen are remembered; past this many (ids a client made up), start over.
_REMEMBERED = 4096


class Rates(BaseModel):
    """US dollars per million tokens of each kind; an absent rate falls back (see Tariff)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: PerMillion
    output: PerMillion
    cache_read: PerMillion | None = None
    cache_write: PerMillion | None = None
    cache_write_1h: PerMillion | None = None
    reasoning: PerMillion | None = None


class LongContext(Rates):
    """The rates of a whole request whose prompt is longer than `above` tokens."""

    above: Annotated[int, Field(ge=0)]


class Price(Rates):
    """One model's price: a `[models."<id>"]` table of prices.toml or `[prices."<id>"]`."""

    source: str | None = None
    long_context: LongContext | None = None


@dataclass(frozen=True, slots=True)
class Tariff:
    """One band's rates in dollars per token, with every fallback applied."""

    input: float
    cache_read: float
    cache_write: float
    cache_write_1h: float
    output: float
    reasoning: float

    @classmethod
    def of(cls, rates: Rates) -> Tariff:
        cache_write = _or(rates.cache_write, rates.input)
        return cls(
            input=rates.input / 1e6,
            cache_read=_or(rates.cache_read, rates.input) / 1e6,
            cache_write=cache_write / 1e6,
            cache_write_1h=_or(rates.cache_write_1h, cache_write) / 1e6,
            output=rates.output / 1e6,
            reasoning=_or(rates.reasoning, rates.output) / 1e6,
        )


@dataclass(frozen=True, slots=True)
class Schedule:
    """A model's tariffs: the usual one, and the long-context one past `above` tokens."""

    model: str
    usual: Tariff
    long: Tariff | None = None
    above: int = 0

    @classmethod
    def of(cls, model: str, price: Price) -> Schedule:
        long = price.long_context
        if long is None:
            return cls(model, Tariff.of(price))
        return cls(model, Tariff.of(price), Tariff.of(long), long.above)

    def tariff(self, prompt_tokens: int) -> Tariff:
        if self.long is not None and prompt_tokens > self.above:
            return self.long
        return self.usual


class PriceTable:
    """The built-in prices with a config's `[prices]` laid over them."""

    def __init__(
        self, overrides: Mapping[str, Price] | None = None, builtin: Mapping[str, Price] | None = None
    ) -> None:
        overrides = overrides or {}
        self._exact = {name.lower(): price for name, price in overrides.items() if not _GLOB.search(name)}
        self._builtin = builtin_prices() if builtin is None else builtin
        self._globs = [(name, price) for name, price in overrides.items() if _GLOB.search(name)]
        self._schedules: dict[str, Schedule | None] = {}

    def schedule(self, model: str) -> Schedule | None:
        """The tariffs of `model`, or None when no price matches it."""
        try:
            return self._schedules[model]
        except KeyError:
            pass
        if len(self._schedules) >= _REMEMBERED:
            self._schedules.clear()
        found = self._find(model)
        schedule = self._schedules[model] = None if found is None else Schedule.of(*found)
        return schedule

    def price(self, model: str) -> Price | None:
        found = self._find(model)
        return None if found is None else found[1]

    def _find(self, model: str) -> tuple[str, Price] | None:
        names = variants(model)
        for name in names:
            price = self._exact.get(name) or self._builtin.get(name)
            if price is not None:
                return name, price
        for pattern, price in self._globs:
            if any(fnmatchcase(name, pattern) for name in (model, *names)):
                return pattern, price
        return None


def variants(model: str) -> list[str]:
    """`model` and the shorter ids it may stand for, most specific first."""
    names = [model.lower()]
    for shorten in _SHORTENINGS:
        name = shorten(names[-1])
        if name and name != names[-1]:
            names.append(name)
    return names


@cache
def builtin_prices() -> dict[str, Price]:
    """prices.toml, read and checked once."""
    text = resources.files("dragoman.observe").joinpath("prices.toml").read_text(encoding="utf-8")
    return {name: Price.model_validate(entry) for name, entry in tomllib.loads(text)["models"].items()}


_active: PriceTable | None = None


def use(overrides: Mapping[str, Price]) -> PriceTable:
    """Make the built-in table with `overrides` (a config's `[prices]`) the one in use."""
    global _active
    _active = PriceTable(overrides)
    return _active


def active() -> PriceTable:
    """The table in use: the built-in prices alone until `use` is called."""
    return _active or use({})


def _or(rate: float | None, fallback: float) -> float:
    return fallback if rate is None else rate


# Each drops or rewrites one thing of the id before it: a `provider/` or `models/`
# prefix, a `[1m]`-style suffix, a date, `-latest`, a Claude version written with a dot
# (GitHub Copilot's `claude-sonnet-4.5` is Anthropic's `claude-sonnet-4-5`).
_SHORTENINGS: tuple[Callable[[str], str], ...] = (
    lambda name: name.rpartition("/")[2],
    lambda name: _BRACKETED.sub("", name),
    lambda name: _DATED.sub("", name),
    lambda name: name.removesuffix("-latest"),
    lambda name: _DOTTED_CLAUDE.sub(r"\1-\2", name),
)
