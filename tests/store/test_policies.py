"""A policy override over the configured policy, field by field."""

from __future__ import annotations

from dragoman.pools.settings import AccountPolicy
from dragoman.store.policies import NO_LIMIT, PolicyOverride, effective

CONFIGURED = AccountPolicy(priority=2, weight=3.0, max_concurrent=5, enabled=True)


def test_only_the_overridden_fields_replace_the_configured_ones() -> None:
    override = PolicyOverride("work", priority=1)
    assert override.apply(CONFIGURED) == AccountPolicy(1, 3.0, 5, True)
    assert override.overridden == ("priority",)


def test_no_limit_overrides_a_configured_limit() -> None:
    override = PolicyOverride("work").changed({"max_concurrent": None, "enabled": False}, now=10.0)
    assert override.max_concurrent == NO_LIMIT and override.updated_at == 10.0
    assert override.apply(CONFIGURED) == AccountPolicy(2, 3.0, None, False)
    assert override.overridden == ("max_concurrent", "enabled")


def test_an_account_without_an_override_keeps_its_own_policy() -> None:
    overrides = {"other": PolicyOverride("other", weight=9.0)}
    assert effective("work", CONFIGURED, overrides) is CONFIGURED
    assert effective("other", CONFIGURED, overrides).weight == 9.0
