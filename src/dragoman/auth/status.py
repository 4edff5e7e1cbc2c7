"""What `dragoman status` and `GET /v1/status` show of a subscription account: never a
token, only facts about it (expiry, last refresh, health, usage windows, risk)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from dragoman.auth.refresh import MARGIN, expired
from dragoman.auth.rows import AUTH_ERROR, INELIGIBLE, REFRESH_ERROR
from dragoman.providers import discover
from dragoman.providers.subscription import UsageWindow
from dragoman.store.accounts import Account


def health(account: Account, now: float | None = None) -> str:
    """ "ok", "refreshes soon", "expired" (and refreshed on next use), "refresh failed"
    (the last try; `problem` says why) or "login needed"."""
    now = time.time() if now is None else now
    if AUTH_ERROR in account.extra or INELIGIBLE in account.extra or not account.access_token:
        return "login needed"
    if REFRESH_ERROR in account.extra:
        return "refresh failed"
    if expired(account, now):
        return "expired" if account.refresh_token else "login needed"
    if account.expires_at is not None and account.expires_at - now < MARGIN:
        return "refreshes soon"
    return "ok"


def status_row(
    account: Account, windows: list[UsageWindow] | None = None, seen_at: float | None = None
) -> dict[str, Any]:
    """One account's status as plain data (JSON-ready); `windows` override the stored ones."""
    spec = discover().get(account.provider)
    stored: dict[str, Any] = account.extra["usage"] if isinstance(account.extra.get("usage"), dict) else {}
    return {
        "id": account.id,
        "label": account.label,
        "provider": account.provider,
        "email": account.email,
        "account_id": account.account_id,
        "plan": account.plan,
        "expires_at": account.expires_at,
        "refreshed_at": account.refreshed_at,
        "health": health(account),
        "problem": problem(account),
        "usage": windows if windows is not None else stored.get("windows"),
        "usage_seen_at": seen_at if windows is not None else stored.get("seen_at"),
        "risk": spec.oauth.risk_notice if spec is not None and spec.oauth is not None else None,
    }


def problem(account: Account) -> str | None:
    """Why the last refresh failed (never a token: the reason was masked when received)."""
    found = account.extra.get(AUTH_ERROR) or account.extra.get(INELIGIBLE) or account.extra.get(REFRESH_ERROR)
    return str(found) if found else None


def relative(moment: float | None, now: float | None = None) -> str:
    """`in 3d 4h`, `12m ago`, or `-`."""
    if moment is None:
        return "-"
    now = time.time() if now is None else now
    seconds = int(moment - now)
    if abs(seconds) < 60:
        return "just now" if seconds <= 0 else "in a minute"
    text = _span(abs(seconds))
    return f"in {text}" if seconds >= 0 else f"{text} ago"


def local_time(moment: float | None, now: float | None = None) -> str:
    """The local time of day within a day from now, else the date too."""
    if moment is None:
        return "-"
    now = time.time() if now is None else now
    shape = "%H:%M" if abs(moment - now) < 86400 else "%Y-%m-%d %H:%M"
    return datetime.fromtimestamp(moment).strftime(shape)


def describe_windows(windows: Any) -> str:
    """`5h 12% (resets in 3h 2m), weekly 40%`, for a table cell."""
    if not isinstance(windows, list) or not windows:
        return "-"
    parts = []
    for window in windows:
        if not isinstance(window, dict):
            continue
        used = window.get("used_percent")
        text = (
            f"{window.get('name', '?')} {used:g}%"
            if isinstance(used, int | float)
            else str(window.get("name"))
        )
        if window.get("status") not in (None, "allowed"):
            text += f" {window['status']}"
        if isinstance(window.get("resets_at"), int | float):
            text += f" (resets {relative(window['resets_at'])})"
        parts.append(text)
    return ", ".join(parts) or "-"


def _span(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m" if minutes else f"{seconds}s"
