"""How Code Assist treats one Gemini CLI account: its project, found once (onboarding.py)
and named in every request's envelope (envelope.py), and Gemini CLI's user agent."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dragoman.providers.gemini_cli.envelope import wrap
from dragoman.providers.gemini_cli.onboarding import CodeAssist, discover_project
from dragoman.providers.subscription import AccountRuntime

if TYPE_CHECKING:
    import httpx

    from dragoman.store.accounts import Account

# The Gemini CLI release whose user agent requests carry (GeminiCLI/<version>/<model>).
GEMINI_CLI_VERSION = "0.61.0"
USER_AGENT = f"GeminiCLI/{GEMINI_CLI_VERSION} (linux; x64; terminal)"


class CodeAssistRuntime(AccountRuntime):
    def __init__(self, poll_seconds: float = 5.0, environ: Mapping[str, str] = os.environ) -> None:
        self.poll_seconds = poll_seconds
        self.environ = environ

    async def setup(self, account: Account, client: httpx.AsyncClient, base_url: str) -> dict[str, Any]:
        api = CodeAssist(client, base_url, account.access_token or "")
        return await discover_project(api, self.own_project(account), poll_seconds=self.poll_seconds)

    def own_project(self, account: Account) -> str | None:
        """The user's own Google Cloud project, if they named one."""
        named = account.extra.get("google_cloud_project")
        if isinstance(named, str) and named:
            return named
        return self.environ.get("GOOGLE_CLOUD_PROJECT") or self.environ.get("GOOGLE_CLOUD_PROJECT_ID") or None

    def wrap(self, body: dict[str, Any], model: str, account: Account) -> dict[str, Any]:
        project = account.extra.get("project")
        return wrap(body, model, project if isinstance(project, str) else None)

    def call_headers(self, account: Account, body: dict[str, Any]) -> dict[str, str]:
        model = body.get("model")
        if not isinstance(model, str) or not model:
            return {}
        return {"user-agent": f"GeminiCLI/{GEMINI_CLI_VERSION}/{model} (linux; x64; terminal)"}
