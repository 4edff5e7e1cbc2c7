"""Subscription kinds wired to fakes: a fake OAuth server and a fake backend per kind,
the `[oauth.<kind>]` settings that point dragoman at them, and logins stored the way
`dragoman login` stores them (tokens the fake OAuth server really issued)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dragoman.auth.login import account_from_facts
from dragoman.auth.store import CredentialStore
from dragoman.auth.tokens import token_facts
from dragoman.providers import discover
from dragoman.store import open_database
from dragoman.store.accounts import Account
from tests.fakes.base import Fake
from tests.fakes.code_assist import CodeAssistFake
from tests.fakes.codex_backend import CodexBackendFake
from tests.fakes.grok_backend import GrokBackendFake
from tests.fakes.oauth import FakeOAuth, User


@dataclass(slots=True)
class Subscription:
    kind: str
    oauth: FakeOAuth
    backend: Fake

    def settings(self) -> dict[str, Any]:
        """The `[oauth.<kind>]` table: every URL at the fakes, any free callback port."""
        url = self.oauth.url
        table = {**self.oauth.overrides(), "base_url": self.backend.base_url, "redirect_port": 0}
        spec = discover()[self.kind].oauth
        if spec is not None and spec.revoke_url is None:
            del table["revoke_url"]  # a provider without revocation stays without
        if self.kind == "codex":
            table["device_url"] = f"{url}/api/accounts/deviceauth/usercode"
            table["device_token_url"] = f"{url}/api/accounts/deviceauth/token"
            table["verification_url"] = f"{url}/codex/device"
        return {self.kind: table}

    def toml(self) -> str:
        lines = [f"[oauth.{self.kind}]"]
        for key, value in self.settings()[self.kind].items():
            lines.append(f"{key} = {value!r}" if isinstance(value, int) else f'{key} = "{value}"')
        return "\n".join(lines) + "\n"


BACKENDS: dict[str, type[Fake]] = {
    "codex": CodexBackendFake,
    "grok": GrokBackendFake,
    "gemini_cli": CodeAssistFake,
}


@contextmanager
def subscription(kind: str, **oauth_options: Any) -> Iterator[Subscription]:
    """A running fake OAuth server and backend for `kind` (codex, grok, gemini_cli)."""
    spec = discover()[kind]
    assert spec.oauth is not None
    oauth = FakeOAuth(spec.oauth.client_id, **oauth_options).start()
    backend = BACKENDS[kind](oauth).start()  # type: ignore[call-arg]
    try:
        yield Subscription(kind, oauth, backend)
    finally:
        backend.stop()
        oauth.stop()


def database_url(home: Path) -> str:
    return f"sqlite+aiosqlite:///{home / 'dragoman.db'}"


def store_login(home: Path, sub: Subscription, user: User | None = None, *, expired: bool = False) -> Account:
    """A login stored as `dragoman login` would: tokens issued by the fake for `user`.
    `expired` back-dates the stored expiry (the fake still honours the token)."""
    answer = sub.oauth.issue(user or sub.oauth.user)
    draft = account_from_facts(sub.kind, token_facts(discover()[sub.kind], answer))
    if expired:
        draft = replace(draft, expires_at=time.time() - 60)

    async def save() -> Account:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        database = await open_database(database_url(home))
        try:
            stored, _ = await CredentialStore(database.engine, database.keys).save_login(draft)
            return stored
        finally:
            await database.close()

    return asyncio.run(save())


def stored_logins(home: Path) -> list[Account]:
    async def read() -> list[Account]:
        database = await open_database(database_url(home))
        try:
            return await CredentialStore(database.engine, database.keys).logins()
        finally:
            await database.close()

    return asyncio.run(read())


@contextmanager
def sdk_clients(root: str, key: str = "any-key") -> Iterator[dict[str, Any]]:
    """The four client dialects' official SDKs pointed at a running dragoman."""
    import anthropic
    import openai
    from google import genai
    from google.genai import types

    oai = openai.OpenAI(api_key=key, base_url=root + "/v1", max_retries=0)
    claude = anthropic.Anthropic(api_key=key, base_url=root, max_retries=0)
    google = genai.Client(
        api_key=key,
        http_options=types.HttpOptions(
            base_url=root, api_version="v1beta", retry_options=types.HttpRetryOptions(attempts=1)
        ),
    )
    try:
        yield {"openai_chat": oai, "openai_responses": oai, "anthropic": claude, "gemini": google}
    finally:
        oai.close()
        claude.close()
        google.close()
