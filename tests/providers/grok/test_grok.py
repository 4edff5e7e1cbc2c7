"""Grok on a subscription: its login's facts, the Grok CLI's identity and the
conversation header, the official store's layout, and each client dialect end to end
through the fake Grok CLI chat service."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from dragoman.auth.tokens import jwt_claims, token_facts
from dragoman.providers.grok import SPEC
from dragoman.providers.grok.credentials import default_path, read_official
from dragoman.providers.subscription import CredentialsError
from tests.conformance.clients import DRIVERS
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.oauth import FakeOAuth, User
from tests.gateway import serve_gateway
from tests.subscriptions import Subscription, sdk_clients, store_login, stored_logins, subscription

MODEL = "grok-4.7"
CLIENT_ID = "b1a00492-073a-47ea-816f-4c329264a828"


@pytest.fixture
def grok() -> Iterator[Subscription]:
    with subscription("grok") as sub:
        yield sub


def test_login_facts_come_from_the_id_token() -> None:
    answer = FakeOAuth(CLIENT_ID).issue(User(email="gina@example.com", sub="xai-user-7"))
    facts = token_facts(SPEC, answer)
    assert (facts["email"], facts["account_id"]) == ("gina@example.com", "xai-user-7")
    assert facts["expires_at"] == float(jwt_claims(answer["access_token"])["exp"])
    assert facts["refresh_token"] == answer["refresh_token"]


def test_official_store_layout(tmp_path: Path) -> None:
    answer = FakeOAuth(CLIENT_ID).issue(User(email="gina@example.com"))
    data = {
        "https://api.x.ai/v1": {"key": "xai-an-api-key", "auth_mode": "api_key"},
        f"https://auth.x.ai::{CLIENT_ID}": {
            "key": answer["access_token"],
            "refresh_token": answer["refresh_token"],
            "expires_at": "2026-12-01T08:30:00.123456Z",
            "auth_mode": "oidc",
            "email": "gina@example.com",
            "user_id": "xai-user-7",
            "oidc_issuer": "https://auth.x.ai",
            "oidc_client_id": CLIENT_ID,
        },
    }
    path = tmp_path / "auth.json"
    path.write_bytes(orjson.dumps(data))
    account = read_official(path)
    assert (account.provider, account.auth, account.email, account.account_id) == (
        "grok",
        "oauth",
        "gina@example.com",
        "xai-user-7",
    )
    assert account.access_token == answer["access_token"] and account.refresh_token == answer["refresh_token"]
    assert account.expires_at == 1796113800.123456


def test_an_entry_without_expires_at_expires_at_its_tokens_exp(tmp_path: Path) -> None:
    answer = FakeOAuth(CLIENT_ID).issue(User(email="gina@example.com"))
    entry = {"key": answer["access_token"], "refresh_token": answer["refresh_token"], "auth_mode": "oidc"}
    path = tmp_path / "auth.json"
    path.write_bytes(orjson.dumps({f"https://auth.x.ai::{CLIENT_ID}": entry}))
    assert read_official(path).expires_at == float(jwt_claims(answer["access_token"])["exp"])


def test_a_store_with_api_keys_only_has_no_login(tmp_path: Path) -> None:
    path = tmp_path / "auth.json"
    path.write_bytes(orjson.dumps({"https://api.x.ai/v1": {"key": "xai-key", "auth_mode": "api_key"}}))
    with pytest.raises(CredentialsError, match="no Grok login"):
        read_official(path)


def test_default_path_follows_grok_home(tmp_path: Path) -> None:
    assert default_path({"GROK_HOME": str(tmp_path)}) == tmp_path / "auth.json"


@pytest.fixture
def sdks(grok: Subscription, dragoman_home: Path, fakes: FakeUpstreams) -> Iterator[dict[str, Any]]:
    store_login(dragoman_home, grok)
    with serve_gateway(fakes, providers={}, oauth=grok.settings()) as root, sdk_clients(root) as clients:
        yield clients


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", sorted(DRIVERS))
def test_each_client_dialect_is_served(
    grok: Subscription, sdks: dict[str, Any], dialect: str, stream: bool
) -> None:
    grok.backend.script(Reply(text="Hello from Grok"))
    talk = DRIVERS[dialect](sdks[dialect], MODEL, stream)
    talk.system("Be terse.")
    talk.user("Hi")
    assert talk.send().text == "Hello from Grok"
    sent = grok.backend.last
    assert sent.path == "/v1/responses" and sent.json["model"] == MODEL
    assert sent.header("x-xai-token-auth") == "xai-grok-cli" and sent.header("x-grok-client-version")
    assert sent.header("x-grok-conv-id") == sent.json["prompt_cache_key"]
    [login] = stored_logins(Path(os.environ["DRAGOMAN_HOME"]))
    assert sent.header("authorization") == f"Bearer {login.access_token}"


def test_a_401_refreshes_and_retries(grok: Subscription, sdks: dict[str, Any]) -> None:
    grok.oauth.expire_access_tokens()
    talk = DRIVERS["anthropic"](sdks["anthropic"], MODEL, True)
    talk.user("Hi")
    assert talk.send().text == "OK"
    assert grok.oauth.refreshes == 1
