"""Which models a request moves on to, by the name it ended up with."""

from __future__ import annotations

import pytest

from dragoman.config import ModelsConfig
from dragoman.routing.chains import Chains, Link

FALLBACKS = {
    "gpt-5.5": ["claude-sonnet-4-5", "gemini-2.5-pro"],
    "claude-sonnet-4-5": ["claude-haiku-4-5", "fast"],
    "smart": ["gpt-5.5"],
}
ALIASES = {"fast": "qwen3:8b", "sonnet": "claude-sonnet-4-5"}


def chains(**extra: object) -> Chains:
    return Chains(ModelsConfig(aliases=ALIASES, fallbacks=FALLBACKS, **extra))  # type: ignore[arg-type]


def names(links: list[Link]) -> list[str]:
    return [link.name for link in links]


def test_chains_follow_on_depth_first_each_model_once() -> None:
    assert names(chains().after("gpt-5.5", "gpt-5.5")) == [
        "claude-sonnet-4-5",
        "claude-haiku-4-5",
        "fast",
        "gemini-2.5-pro",
    ]


@pytest.mark.parametrize(
    ("name", "resolved", "first"),
    [
        ("sonnet", "claude-sonnet-4-5", "claude-haiku-4-5"),  # an alias: its target's chain
        ("openai/gpt-5.5", "gpt-5.5", "claude-sonnet-4-5"),  # provider/id: the id's chain
        ("typo", "gpt-5.5", "claude-sonnet-4-5"),  # sent to the `fallback` model: its chain
        ("smart", "whatever", "gpt-5.5"),  # a chain under the name as written wins
    ],
)
def test_a_chain_is_found_by_the_name_or_the_model_it_resolved_to(
    name: str, resolved: str, first: str
) -> None:
    assert names(chains().after(name, resolved))[0] == first


def test_a_model_without_a_chain_moves_nowhere_and_no_chain_at_all_is_empty() -> None:
    assert chains().after("gemini-2.5-pro", "gemini-2.5-pro") == []
    assert not chains().empty
    assert Chains(ModelsConfig()).empty
    assert not Chains(ModelsConfig(context_fallback="big")).empty


def test_context_fallback_comes_last_and_only_for_a_request_too_long() -> None:
    links = chains(context_fallback="gemini-2.5-pro").after("claude-sonnet-4-5", "claude-sonnet-4-5")
    assert names(links) == ["claude-haiku-4-5", "fast", "gemini-2.5-pro"]
    assert [link.context_only for link in links] == [False, False, True]
    already = chains(context_fallback="fast").after("claude-sonnet-4-5", "claude-sonnet-4-5")
    assert names(already) == ["claude-haiku-4-5", "fast"]  # in the chain already: not twice
    assert not already[-1].context_only
