"""Session bindings: (session, model) -> account, expiring unless renewed."""

from __future__ import annotations

from dragoman.state import Binding, State
from tests.state.conftest import FakeClock


def test_a_binding_holds_until_its_ttl(state: State, clock: FakeClock) -> None:
    state.bindings.bind("s1", "claude-opus", "alice", ttl=3600)
    assert state.bindings.get("s1", "claude-opus") == "alice"
    assert state.bindings.get("s1", "gpt-5.5") is None
    assert state.bindings.get("s2", "claude-opus") is None
    clock.advance(3600)
    assert state.bindings.get("s1", "claude-opus") is None
    assert state.bindings.count("alice") == 0


def test_a_success_renews_a_binding(state: State, clock: FakeClock) -> None:
    state.bindings.bind("s1", "m", "alice", ttl=100)
    clock.advance(90)
    state.bindings.bind("s1", "m", "alice", ttl=100)
    clock.advance(90)
    assert state.bindings.get("s1", "m") == "alice"
    assert state.bindings.all() == (Binding("s1", "m", "alice", clock.now + 10),)


def test_rebinding_moves_the_session(state: State) -> None:
    state.bindings.bind("s1", "m", "alice", ttl=100)
    state.bindings.bind("s1", "m", "bob", ttl=100)
    assert state.bindings.get("s1", "m") == "bob"
    assert (state.bindings.count("alice"), state.bindings.count("bob")) == (0, 1)


def test_dropping_one_binding_or_an_accounts_all(state: State) -> None:
    for session in ("s1", "s2", "s3"):
        state.bindings.bind(session, "m", "alice", ttl=100)
    state.bindings.bind("s4", "m", "bob", ttl=100)
    state.bindings.drop("s1", "m")
    assert state.bindings.get("s1", "m") is None
    assert state.bindings.count("alice") == 2
    assert state.bindings.drop_account("alice") == 2
    assert state.bindings.get("s2", "m") is None and state.bindings.count("alice") == 0
    assert state.bindings.get("s4", "m") == "bob"
    state.bindings.drop("nobody", "m")  # dropping what is not bound is harmless
