"""`[models.fallbacks]` read from the config file: chains as written, loops refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from dragoman.config import ConfigError, load
from dragoman.config.chains import chain_loop
from tests.config.test_load import write

CHAINS = """
[models]
aliases = { "smart" = "gpt-5.5" }
context_fallback = "gemini-2.5-pro"

[models.fallbacks]
"gpt-5.5" = ["claude-sonnet-4-5", "gemini-2.5-pro"]
"claude-sonnet-4-5" = ["claude-haiku-4-5"]
"""


def test_chains_are_read_as_written(dragoman_home: Path) -> None:
    write(dragoman_home / "config.toml", CHAINS)
    models = load().models
    assert models.fallbacks == {
        "gpt-5.5": ["claude-sonnet-4-5", "gemini-2.5-pro"],
        "claude-sonnet-4-5": ["claude-haiku-4-5"],
    }
    assert models.context_fallback == "gemini-2.5-pro"


def test_a_chain_that_comes_back_is_refused_naming_the_loop(dragoman_home: Path) -> None:
    looped = CHAINS + '"claude-haiku-4-5" = ["gpt-5.5"]\n'
    path = write(dragoman_home / "config.toml", looped)
    with pytest.raises(ConfigError) as caught:
        load()
    message = str(caught.value)
    assert str(path) in message
    assert "gpt-5.5 -> claude-sonnet-4-5 -> claude-haiku-4-5 -> gpt-5.5" in message


@pytest.mark.parametrize(
    ("fallbacks", "aliases", "loop"),
    [
        ({"a": ["a"]}, {}, ["a", "a"]),
        ({"a": ["b"], "b": ["a"]}, {}, ["a", "b", "a"]),
        ({"a": ["fast"]}, {"fast": "a"}, ["a", "a"]),  # an alias is the model it names
        ({"smart": ["b"], "b": ["a"]}, {"smart": "a"}, ["a", "b", "a"]),
        ({"a": ["b", "c"], "b": ["c"], "c": ["d"]}, {}, []),  # a diamond is no loop
        ({}, {}, []),
    ],
)
def test_loops_are_found_through_aliases(
    fallbacks: dict[str, list[str]], aliases: dict[str, str], loop: list[str]
) -> None:
    assert chain_loop(fallbacks, aliases) == loop
