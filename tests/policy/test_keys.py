"""Local keys: found by digest, admin keys named by position, allow and deny lists."""

from __future__ import annotations

from dragoman.policy.keys import KeyRing, LocalKey, digest


def test_admin_keys_are_named_by_position_and_found_by_secret() -> None:
    ring = KeyRing(["first-secret-1234", "second-secret-5678"])
    found = ring.find("second-secret-5678")
    assert found == LocalKey(name="key2", admin=True)
    assert ring.find("second-secret-567") is None
    assert ring.has_admin_keys and ring


def test_an_empty_ring_is_false_until_named_keys_arrive() -> None:
    ring = KeyRing([])
    assert not ring and not ring.has_admin_keys
    named = LocalKey(name="ci")
    ring.replace([(digest("dgm-ci-secret"), named)])
    assert ring and not ring.has_admin_keys
    assert ring.find("dgm-ci-secret") is named
    assert ring.named() == (named,)


def test_replace_swaps_every_named_key_at_once() -> None:
    ring = KeyRing(["admin-secret-0000"])
    ring.replace([(digest("old-secret"), LocalKey(name="old"))])
    ring.replace([(digest("new-secret"), LocalKey(name="new"))])
    assert ring.find("old-secret") is None
    assert ring.find("new-secret") == LocalKey(name="new")
    assert ring.find("admin-secret-0000") == LocalKey(name="key1", admin=True)


def test_deny_wins_over_allow_and_an_empty_allow_list_allows_all() -> None:
    anyone = LocalKey(name="a", deny=("*opus*",))
    assert anyone.allows("gpt-5.5") and not anyone.allows("claude-opus-4-1")
    narrow = LocalKey(name="b", models=("claude-*",), deny=("claude-opus-*",))
    assert narrow.allows("claude-sonnet-4-5")
    assert not narrow.allows("claude-opus-4-1")
    assert not narrow.allows("gpt-5.5")


def test_expiry_is_inclusive_of_its_instant() -> None:
    key = LocalKey(name="temp", expires=1000.0)
    assert not key.expired(999.9)
    assert key.expired(1000.0)
    assert not LocalKey(name="forever").expired(1e12)
