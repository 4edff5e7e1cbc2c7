"""PKCE S256 and the login state."""

from __future__ import annotations

import re

from dragoman.auth.pkce import Pkce, challenge_of, new_state


def test_challenge_is_rfc_7636_s256() -> None:
    # RFC 7636 appendix B.
    assert (
        challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_verifier_is_fresh_unreserved_and_within_the_rfc_lengths() -> None:
    first, second = Pkce(), Pkce()
    assert first.verifier != second.verifier
    assert 43 <= len(first.verifier) <= 128
    assert re.fullmatch(r"[A-Za-z0-9\-._~]+", first.verifier)
    assert first.challenge == challenge_of(first.verifier) and first.method == "S256"
    assert first.verifier not in repr(first)


def test_states_are_unguessable_and_url_safe() -> None:
    states = {new_state() for _ in range(50)}
    assert len(states) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", state) for state in states)
