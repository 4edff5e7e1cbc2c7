"""One account as the admin API, `dragoman accounts list --json` and the dashboard see it.

    {"label": "work", "kind": "anthropic", "auth": "key", "key": "sk-a***wxyz",
     "dialect": "anthropic", "base_url": "https://api.anthropic.com", "models": ["claude-opus-4-5"],
     "policy": {"priority": 1, "weight": 1.0, "max_concurrent": null, "enabled": true},
     "overridden": ["priority"],
     "state": {"status": "cooling", "until": 1767225600.0, "reason": "429 ...",
               "text": "cooling until 2026-01-01T00:00:00Z: 429 ..."},
     "cooldowns": [{"scope": "account", "kind": "quota", "until": ..., "reason": ...}],
     "windows": [{"family": "", "name": "5h", "used_percent": 82.0,
                  "window_seconds": 18000, "resets_at": ...}],
     "in_flight": 0, "sessions": {"count": 1, "keys": ["3fa9c2d81b07"]},
     "last_error": {"at": ..., "status": 429, "rule": "...", "message": "..."}}

Times are epoch seconds; `until` null means until someone resets the account. Status,
in order: unusable (known but not served, `routing.unserved`: its key variable unset,
say), disabled, unhealthy (a whole-account cooldown the user must clear), cooling (a
whole-account cooldown), else ready: a cooldown of one model family or model shows in
`cooldowns` and leaves the account ready for the others. Session keys are shown as a
short hash, never as sent: they are the client's conversation ids. A key is shown
only as its owner recognises it (`key`: masked, `$VARIABLE`, a login's email and
plan), and a base URL's credentials are masked.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from hashlib import blake2b
from typing import Any

from dragoman.config.masking import masked_url
from dragoman.pools.settings import AccountPolicy
from dragoman.providers.upstream import Upstream
from dragoman.routing.unserved import Unserved
from dragoman.state import WHOLE_ACCOUNT, Cooldown, State, Window

SESSION_KEYS_SHOWN = 20


def describe(
    upstream: Upstream, policy: AccountPolicy, overridden: tuple[str, ...], state: State, now: float
) -> dict[str, Any]:
    """The account `upstream` serving under `policy`, with its runtime state at `now`."""
    head = {
        "label": upstream.name,
        "kind": upstream.spec.kind,
        "auth": _auth(upstream),
        "key": upstream.key_shown,
        "dialect": upstream.dialect,
        "base_url": masked_url(upstream.base_url),
        "models": [info.id for info in upstream.models],
    }
    return _with_state(head, policy, overridden, state, now)


def describe_unserved(
    account: Unserved, policy: AccountPolicy, overridden: tuple[str, ...], state: State, now: float
) -> dict[str, Any]:
    """An account known but not served, drawn like the others, its state saying why."""
    head = {
        "label": account.name,
        "kind": account.kind,
        "auth": account.auth,
        "key": account.key_shown,
        "dialect": account.dialect,
        "base_url": masked_url(account.base_url) if account.base_url else None,
        "models": list(account.models),
    }
    shown = _with_state(head, policy, overridden, state, now)
    also = "disabled; " if not policy.enabled else ""
    text = f"{also}unusable: {account.reason}"
    shown["state"] = {"status": "unusable", "until": None, "reason": account.reason, "text": text}
    return shown


def _with_state(
    head: dict[str, Any], policy: AccountPolicy, overridden: tuple[str, ...], state: State, now: float
) -> dict[str, Any]:
    label = head["label"]
    active = [record for record in state.health.cooldowns(label) if record.active(now)]
    return {
        **head,
        "policy": {
            "priority": policy.priority,
            "weight": policy.weight,
            "max_concurrent": policy.max_concurrent,
            "enabled": policy.enabled,
        },
        "overridden": list(overridden),
        "state": _status(policy, active),
        "cooldowns": [_cooldown(record) for record in active],
        "windows": [_window(window) for window in state.windows.of(label) if window.resets_at > now],
        "in_flight": state.in_flight.count(label),
        "sessions": _sessions(state, label),
        "last_error": _last_error(state, label),
    }


def when(moment: float | None) -> str:
    """An epoch time as ISO 8601 UTC, or "reset" for one only a reset ends."""
    if moment is None or not math.isfinite(moment):
        return "reset"
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _auth(upstream: Upstream) -> str:
    if upstream.account_id is not None:
        return "login"
    return "key" if upstream.api_key else "none"


def _until(moment: float) -> float | None:
    return moment if math.isfinite(moment) else None


def _status(policy: AccountPolicy, active: list[Cooldown]) -> dict[str, Any]:
    if not policy.enabled:
        return {"status": "disabled", "until": None, "reason": None, "text": "disabled"}
    whole = [record for record in active if record.scope == WHOLE_ACCOUNT]
    if not whole:
        return {"status": "ready", "until": None, "reason": None, "text": "ready"}
    record = max(whole, key=lambda found: found.until)
    if record.kind == "unhealthy":
        text = f"unhealthy: {record.reason}"
        return {"status": "unhealthy", "until": None, "reason": record.reason, "text": text}
    text = f"cooling until {when(record.until)}: {record.reason}"
    return {"status": "cooling", "until": _until(record.until), "reason": record.reason, "text": text}


def _cooldown(record: Cooldown) -> dict[str, Any]:
    return {
        "scope": record.scope or "account",
        "kind": record.kind,
        "until": _until(record.until),
        "reason": record.reason,
    }


def _window(window: Window) -> dict[str, Any]:
    return {
        "family": window.family,
        "name": window.name,
        "used_percent": window.used_percent,
        "window_seconds": window.window_seconds,
        "resets_at": window.resets_at,
    }


def _sessions(state: State, label: str) -> dict[str, Any]:
    keys = sorted({_hashed(binding.session) for binding in state.bindings.all() if binding.account == label})
    return {"count": state.bindings.count(label), "keys": keys[:SESSION_KEYS_SHOWN]}


def _hashed(session: str) -> str:
    return blake2b(session.encode(), digest_size=6).hexdigest()


def _last_error(state: State, label: str) -> dict[str, Any] | None:
    error = state.health.last_error(label)
    if error is None:
        return None
    return {"at": error.at, "status": error.status, "rule": error.rule, "message": error.message}
