"""How Anthropic's backend treats one Claude Pro/Max account.

Everything a request needs is the same for every account (headers.py, quirks.py,
tools.py), so the per-account work is naming the account (the token response carries
`account: {uuid, email_address}`, oauth.md §2.4, as CLIProxyAPI reads it) and reading
its usage windows from each answer's headers (usage.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dragoman.providers.claude.usage import usage_windows
from dragoman.providers.subscription import AccountRuntime, UsageWindow


class ClaudeRuntime(AccountRuntime):
    def identity(self, tokens: dict[str, Any]) -> dict[str, Any]:
        account = tokens.get("account")
        if not isinstance(account, dict):
            return {}
        facts = {"account_id": account.get("uuid"), "email": account.get("email_address")}
        return {key: value for key, value in facts.items() if isinstance(value, str) and value}

    def rate_limits(self, headers: Mapping[str, str]) -> list[UsageWindow] | None:
        return usage_windows(headers) or None
