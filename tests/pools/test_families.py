"""Model families: from window codes, Codex limit ids and Claude model names."""

from __future__ import annotations

import pytest

from dragoman.pools.families import anthropic_family, claude_family, codex_family


def test_anthropic_codes_map_to_family_names() -> None:
    assert [anthropic_family(code) for code in ("oi", "OI", "sonnet", "opus")] == [
        "fable",
        "fable",
        "sonnet",
        "opus",
    ]


@pytest.mark.parametrize(
    ("limit_id", "family"),
    [
        ("codex_bengalfox", "bengalfox"),
        ("codex-bengalfox", "bengalfox"),
        (" Codex_Luna ", "luna"),
        ("codex", None),
        ("premium", None),
        ("codex_", None),
    ],
)
def test_codex_limit_ids(limit_id: str, family: str | None) -> None:
    assert codex_family(limit_id) == family


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("claude-fable-5", "fable"),
        ("claude-opus-4-5-20251101", "opus"),
        ("claude-sonnet-4-5", "sonnet"),
        ("claude-3-5-sonnet-latest", "sonnet"),
        ("claude-3.5-haiku", "haiku"),
        ("anthropic/claude-opus-5-5", "opus"),
        ("gpt-5.5", None),
        ("gemini-2.5-pro", None),
    ],
)
def test_claude_model_families(model: str, family: str | None) -> None:
    assert claude_family(model) == family
