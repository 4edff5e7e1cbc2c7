"""One account as the admin API draws it, from the runtime state as it stands."""

from __future__ import annotations

import time

from dragoman.config import ProviderConfig
from dragoman.pools.settings import AccountPolicy
from dragoman.providers.upstream import build_upstream
from dragoman.server.admin.view import describe
from dragoman.state import WHOLE_ACCOUNT, Window, open_state

NOW = time.time()
UPSTREAM = build_upstream(
    "work",
    ProviderConfig(kind="openai_compatible", base_url="http://me:pw-123456@127.0.0.1:9/v1", models=["m"]),
    environ={},
)


def test_status_in_order_disabled_unhealthy_cooling_ready() -> None:
    state = open_state(None)
    assert describe(UPSTREAM, AccountPolicy(), (), state, NOW)["state"]["text"] == "ready"
    state.health.strike("work", "fable", "quota", "7d_oi rejected", until=NOW + 600)
    family_only = describe(UPSTREAM, AccountPolicy(), (), state, NOW)
    assert family_only["state"]["status"] == "ready"
    assert family_only["cooldowns"] == [
        {"scope": "fable", "kind": "quota", "until": NOW + 600, "reason": "7d_oi rejected"}
    ]
    state.health.strike("work", WHOLE_ACCOUNT, "transient", "503 server_error", until=NOW + 30)
    cooling = describe(UPSTREAM, AccountPolicy(), (), state, NOW)["state"]
    assert (cooling["status"], cooling["until"], cooling["reason"]) == (
        "cooling",
        NOW + 30,
        "503 server_error",
    )
    state.health.strike("work", WHOLE_ACCOUNT, "unhealthy", "403 forbidden")
    unhealthy = describe(UPSTREAM, AccountPolicy(), (), state, NOW)
    assert unhealthy["state"] == {
        "status": "unhealthy",
        "until": None,
        "reason": "403 forbidden",
        "text": "unhealthy: 403 forbidden",
    }
    # Until someone resets it: null, never an infinity JSON cannot carry.
    assert [c["until"] for c in unhealthy["cooldowns"] if c["scope"] == "account"] == [None]
    disabled = describe(UPSTREAM, AccountPolicy(enabled=False), ("enabled",), state, NOW)
    assert disabled["state"]["status"] == "disabled" and disabled["overridden"] == ["enabled"]


def test_windows_sessions_and_the_url_as_shown() -> None:
    state = open_state(None)
    state.windows.observe(Window("work", "", "5h", 82.0, 18_000, NOW + 3600, NOW))
    state.windows.observe(Window("work", "", "7d", 10.0, 604_800, NOW - 1, NOW - 700_000))  # reset already
    state.bindings.bind("key1:conversation-4242", "m", "work", ttl=60)
    shown = describe(UPSTREAM, AccountPolicy(), (), state, NOW)
    assert shown["windows"] == [
        {"family": "", "name": "5h", "used_percent": 82.0, "window_seconds": 18_000, "resets_at": NOW + 3600}
    ]
    assert shown["sessions"]["count"] == 1
    [key] = shown["sessions"]["keys"]
    assert len(key) == 12 and "4242" not in key
    assert "pw-123456" not in shown["base_url"] and shown["auth"] == "none"


def test_the_key_is_shown_masked_or_by_its_variable_never_whole() -> None:
    state = open_state(None)
    literal = build_upstream("lit", ProviderConfig(kind="openai", api_key="sk-proj-abcd0123wxyz"), environ={})
    from_env = build_upstream(
        "env",
        ProviderConfig(kind="openai", api_key_env="WORK_KEY"),
        environ={"WORK_KEY": "sk-env-9876543210"},
    )
    default_env = build_upstream(
        "dflt", ProviderConfig(kind="openai"), environ={"OPENAI_API_KEY": "sk-d-0123456789"}
    )
    shown = [
        describe(upstream, AccountPolicy(), (), state, NOW)["key"]
        for upstream in (literal, from_env, default_env, UPSTREAM)
    ]
    assert shown == ["sk-p***wxyz", "$WORK_KEY", "$OPENAI_API_KEY", "none"]
