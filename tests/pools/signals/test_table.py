"""Which readers each provider kind gets, and the signals every kind shares."""

from __future__ import annotations

import pytest

from dragoman.pools.signals import DEFAULT, anthropic, codex, gemini, openai, read, readers, retry_after

NOW = 1_795_000_000.0
CODEX_FULL = {"x-codex-primary-used-percent": "100", "x-codex-primary-window-minutes": "300"}
OPENAI_EMPTY = {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s"}


@pytest.mark.parametrize(
    ("kind", "dialect", "reader"),
    [
        ("anthropic", None, anthropic.read_api_key),
        ("claude", None, anthropic.read_unified),
        ("codex", None, codex.read_headers),
        ("codex", None, codex.read_body),
        ("openai", None, openai.read_headers),
        ("xai", None, openai.read_headers),
        ("grok", None, openai.read_headers),
        ("gemini", None, gemini.read_body),
        ("gemini_cli", None, gemini.read_body),
        ("openai_compatible", "openai_chat", openai.read_headers),
        ("openai_compatible", "openai_responses", openai.read_headers),
        ("openai_compatible", "anthropic", anthropic.read_unified),
        ("openai_compatible", "gemini", gemini.read_body),
    ],
)
def test_each_kind_gets_its_vendors_readers_and_retry_after(
    kind: str, dialect: str | None, reader: object
) -> None:
    chosen = readers(kind, dialect)
    assert reader in chosen
    assert chosen[-1] is retry_after.read


@pytest.mark.parametrize(("kind", "dialect"), [("ollama", None), ("kiro", None), ("openai_compatible", None)])
def test_other_kinds_read_retry_after_alone(kind: str, dialect: str | None) -> None:
    assert readers(kind, dialect) == DEFAULT


def test_a_kind_ignores_headers_of_another_vendor() -> None:
    assert read("openai", CODEX_FULL, now=NOW).windows == ()
    assert read("codex", OPENAI_EMPTY, now=NOW).windows == ()
    assert read("codex", CODEX_FULL, now=NOW).exhausted


def test_retry_after_as_an_http_date() -> None:
    reading = read("ollama", {"Retry-After": "Sat, 21 Nov 2026 18:00:00 GMT"}, now=NOW)
    assert reading.reset_at == 1_795_284_000.0


@pytest.mark.parametrize("value", ["soon", "-1", ""])
def test_an_unreadable_retry_after_is_ignored(value: str) -> None:
    assert read("openai", {"retry-after": value}, now=NOW).reset_at is None


def test_an_answer_without_signals_reads_nothing() -> None:
    reading = read("anthropic", {"content-type": "application/json"}, now=NOW)
    assert (reading.windows, reading.reset_at, reading.exhausted, reading.family) == ((), None, False, None)
