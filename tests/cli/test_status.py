"""`dragoman status` and `dragoman refresh` as a user runs them: what an account's row
says after an import and after a failed refresh, and a provider that does not exist."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dragoman.auth.endpoints import subscription_kinds
from tests.cli.test_login import run
from tests.subscriptions import Subscription, subscription


@pytest.fixture
def codex(dragoman_home: Path) -> Iterator[Subscription]:
    """The fake Codex OAuth server and backend, named in this home's config.toml."""
    with subscription("codex") as sub:
        dragoman_home.mkdir(parents=True, exist_ok=True)
        (dragoman_home / "config.toml").write_text("detect_ollama = false\n" + sub.toml())
        yield sub


UNKNOWN = [
    ("status", "--provider", "nosuch"),
    ("status", "--provider", "nosuch", "--json"),
    ("status", "--provider", "nosuch", "--no-usage"),
    ("refresh", "--provider", "nosuch"),
    ("refresh", "--provider", "nosuch", "--json"),
    ("logout", "nosuch"),
    ("login", "--provider", "nosuch"),
    ("import", "nosuch"),
]


@pytest.mark.parametrize("args", UNKNOWN, ids=" ".join)
def test_a_provider_that_does_not_exist_is_named_and_exits_1(codex: Subscription, args: tuple[str]) -> None:
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert "no provider 'nosuch'" in result.output
    assert all(kind in result.output for kind in subscription_kinds()), "the known ones are listed"


@pytest.mark.parametrize(
    "args", [("status", "--provider", "openai"), ("refresh", "--provider", "openai"), ("logout", "openai")]
)
def test_a_provider_without_subscription_logins_says_so_and_exits_1(
    codex: Subscription, args: tuple[str]
) -> None:
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert "'openai' has no subscription login" in result.output
