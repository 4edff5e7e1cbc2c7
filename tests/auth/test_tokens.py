"""When a token answer says the access token expires, pinned exactly for every
subscription kind: `expires_in` counted from the moment the answer is read, or the
access token's own `exp` claim where the kind reads it."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from dragoman.auth import tokens
from dragoman.auth.endpoints import subscription_kinds
from dragoman.auth.tokens import token_facts
from tests.fakes.oauth import unsigned_jwt

NOW = 1_700_000_000.0
EXP = 1_700_009_999  # the access token's `exp`, unrelated to NOW + expires_in on purpose

# Where each kind takes the expiry from when a token answer has both. A kind added
# later must be given its line here.
# Copilot's exchange answers carry `expires_at` and `refresh_in` instead, read first
# (tests/providers/copilot); its other answers follow the general rule.
EXPIRY_FROM = {
    "codex": "exp",
    "grok": "exp",
    "claude": "expires_in",
    "gemini_cli": "expires_in",
    "copilot": "expires_in",
    # Kiro's answers (camelCase `expiresIn`) become token responses in providers/kiro/auth.py.
    "kiro": "expires_in",
    # Cursor's answers carry no `expires_in` (providers/cursor/auth.py): its JWT's `exp` is read.
    "cursor": "expires_in",
}


def answer(expires_in: Any = None, exp: int | None = None) -> dict[str, Any]:
    access = unsigned_jwt({"sub": "u", "exp": exp}) if exp is not None else "opaque-access-token"
    found: dict[str, Any] = {"access_token": access, "refresh_token": "rt"}
    if expires_in is not None:
        found["expires_in"] = expires_in
    return found


def expiry(kind: str, tokens: dict[str, Any], now: float | None = NOW) -> Any:
    return token_facts(subscription_kinds()[kind], tokens, now=now)["expires_at"]


def test_every_subscription_kind_has_its_expiry_rule_pinned() -> None:
    assert set(subscription_kinds()) == set(EXPIRY_FROM)


@pytest.mark.parametrize("kind", sorted(EXPIRY_FROM))
def test_with_both_the_kind_reads_its_own_source(kind: str) -> None:
    wanted = float(EXP) if EXPIRY_FROM[kind] == "exp" else NOW + 3600
    assert expiry(kind, answer(expires_in=3600, exp=EXP)) == wanted


@pytest.mark.parametrize("kind", sorted(EXPIRY_FROM))
@pytest.mark.parametrize(
    ("expires_in", "seconds"), [(3600, 3600.0), (1, 1.0), (0, 0.0), (3599.5, 3599.5), ("3600", 3600.0)]
)
def test_expires_in_counts_from_the_answer(kind: str, expires_in: Any, seconds: float) -> None:
    assert expiry(kind, answer(expires_in=expires_in)) == NOW + seconds


@pytest.mark.parametrize("kind", sorted(EXPIRY_FROM))
def test_without_expires_in_the_access_tokens_exp_is_the_expiry(kind: str) -> None:
    assert expiry(kind, answer(exp=EXP)) == float(EXP)


@pytest.mark.parametrize("kind", sorted(EXPIRY_FROM))
@pytest.mark.parametrize("expires_in", [True, "1h", "-5", [3600]])
def test_an_expires_in_that_is_no_number_of_seconds_is_not_read(kind: str, expires_in: Any) -> None:
    assert expiry(kind, answer(expires_in=expires_in)) is None
    assert expiry(kind, answer(expires_in=expires_in, exp=EXP)) == float(EXP)


@pytest.mark.parametrize("kind", sorted(EXPIRY_FROM))
def test_an_answer_saying_nothing_has_no_expiry(kind: str) -> None:
    assert expiry(kind, answer()) is None


@pytest.mark.parametrize("kind", [kind for kind, source in EXPIRY_FROM.items() if source == "expires_in"])
def test_now_defaults_to_the_moment_the_answer_is_read(kind: str) -> None:
    before = time.time()
    found = expiry(kind, answer(expires_in=3600), now=None)
    after = time.time()
    assert before + 3600 <= found <= after + 3600


async def test_an_unreachable_token_endpoint_is_told_in_plain_words() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    async with tokens.new_client() as client:
        with pytest.raises(tokens.OAuthError) as caught:
            await tokens.post(client, f"http://127.0.0.1:{port}/oauth/token", {"grant_type": "x"})
    assert (
        str(caught.value)
        == f"the login server is unreachable at http://127.0.0.1:{port}: the connection was refused"
    )
