"""Every client dialect, through a real dragoman, to a Gemini CLI login: the login is
stored as `dragoman login` stores it, the account is onboarded on its first request and
never again, and the fake Code Assist backend refuses requests without its envelope or
the account's project (tests/fakes/code_assist.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import orjson
import pytest
from click.testing import CliRunner
from google import genai
from google.genai import types

from dragoman.cli import cli
from dragoman.providers import discover
from dragoman.providers.gemini_cli import SPEC
from dragoman.providers.gemini_cli.runtime import CodeAssistRuntime
from tests.conformance.clients import DRIVERS
from tests.conformance.scenario import ARGS, DIALECTS, RESULTS, SYSTEM, TOOLS
from tests.fakes import Call, Failure, Reply
from tests.fakes.code_assist import CodeAssistFake
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.oauth import FakeOAuth, User
from tests.gateway import serve_gateway
from tests.subscriptions import Subscription, store_login, stored_logins

MODEL = "gemini-2.5-flash"


@pytest.fixture
def gemini_cli() -> Iterator[Subscription]:
    oauth_spec = SPEC.oauth
    assert oauth_spec is not None
    with (
        FakeOAuth(oauth_spec.client_id, client_secret=oauth_spec.client_secret) as oauth,
        CodeAssistFake(oauth) as backend,
    ):
        backend.onboard_polls = 0
        yield Subscription("gemini_cli", oauth, backend)


@pytest.fixture(autouse=True)
def _quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = discover()["gemini_cli"].runtime
    assert isinstance(runtime, CodeAssistRuntime)
    monkeypatch.setattr(runtime, "poll_seconds", 0.01)
    monkeypatch.setattr(runtime, "environ", {})


def code_assist(sub: Subscription) -> CodeAssistFake:
    assert isinstance(sub.backend, CodeAssistFake)
    return sub.backend


@contextmanager
def sdk(dialect: str, root: str) -> Iterator[Any]:
    """The dialect's official SDK pointed at dragoman, retries off."""
    if dialect == "anthropic":
        with anthropic.Anthropic(api_key="local", base_url=root, max_retries=0) as client:
            yield client
    elif dialect == "gemini":
        retry = types.HttpRetryOptions(attempts=1)
        yield genai.Client(
            api_key="local", http_options=types.HttpOptions(base_url=root, retry_options=retry)
        )
    else:
        with openai.OpenAI(api_key="local", base_url=root + "/v1", max_retries=0) as client:
            yield client


def chat(root: str) -> httpx.Response:
    return httpx.post(
        root + "/v1/chat/completions", json={"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
    )


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_tool_round_trip_from_each_client_dialect(
    dialect: str, stream: bool, gemini_cli: Subscription, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    login = store_login(dragoman_home, gemini_cli)
    backend = code_assist(gemini_cli)
    backend.onboard_polls = 2
    calls = [Call(spec.name, ARGS[spec.name]) for spec in TOOLS]
    backend.script(Reply(tool_calls=calls), Reply(text="Paris: 18C and sunny, 14:05."))
    with (
        serve_gateway(fakes, providers={}, oauth=gemini_cli.settings()) as root,
        sdk(dialect, root) as client,
    ):
        talk = DRIVERS[dialect](client, MODEL, stream)
        talk.system(SYSTEM)
        talk.tools(TOOLS)
        talk.user("Weather and time in Paris?")
        first = talk.send()
        talk.answer_calls(RESULTS)
        second = talk.send()

    assert [(call.name, call.args) for call in first.calls] == [(t.name, ARGS[t.name]) for t in TOOLS]
    assert second.text == "Paris: 18C and sunny, 14:05."
    # Onboarded once, before the first request; both requests name the project.
    method = "streamGenerateContent" if stream else "generateContent"
    assert backend.calls == {"loadCodeAssist": 1, "onboardUser": 1, "getOperation": 2, method: 2}
    project = backend.projects[gemini_cli.oauth.user.sub]
    sent = backend.last
    assert sent.header("authorization") == f"Bearer {login.access_token}"
    assert sent.json["project"] == project and sent.json["model"] == MODEL
    assert sent.json["request"]["systemInstruction"]["parts"][0]["text"] == SYSTEM


def test_the_project_is_kept_across_restarts_and_found_per_account(
    gemini_cli: Subscription, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    backend = code_assist(gemini_cli)
    first = store_login(dragoman_home, gemini_cli)
    second = store_login(dragoman_home, gemini_cli, User(email="bob@example.com", account_id="bob"))
    settings = gemini_cli.settings()
    with serve_gateway(fakes, providers={}, oauth=settings) as root:
        for label in (first.label, second.label):
            body = {"model": f"{label}/{MODEL}", "messages": [{"role": "user", "content": "hi"}]}
            assert httpx.post(root + "/v1/chat/completions", json=body).status_code == 200
    assert backend.calls["loadCodeAssist"] == 2 and len(backend.projects) == 2
    with serve_gateway(fakes, providers={}, oauth=settings) as root:
        assert chat(root).status_code == 200
    assert backend.calls["loadCodeAssist"] == 2
    kept = {login.label: login.extra.get("project") for login in stored_logins(dragoman_home)}
    assert sorted(kept.values()) == sorted(backend.projects.values())


def test_a_spent_quota_is_a_429_with_the_wait_google_gives(
    gemini_cli: Subscription, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    store_login(dragoman_home, gemini_cli)
    backend = code_assist(gemini_cli)
    spent = Failure(
        429, "You have exhausted your capacity on this model.", retry_after=3600, reason="QUOTA_EXHAUSTED"
    )
    backend.script(Reply(error=spent))
    with serve_gateway(fakes, providers={}, oauth=gemini_cli.settings()) as root:
        response = chat(root)
    assert response.status_code == 429, response.text
    assert response.headers["retry-after"] == "3600"


def test_a_login_imported_from_gemini_cli_is_served(
    gemini_cli: Subscription, fakes: FakeUpstreams, dragoman_home: Path, tmp_path: Path
) -> None:
    issued = gemini_cli.oauth.issue(User(email="carol@example.com", account_id="carol"))
    official = tmp_path / ".gemini" / "oauth_creds.json"
    official.parent.mkdir()
    data = {
        "access_token": issued["access_token"],
        "refresh_token": issued["refresh_token"],
        "scope": " ".join(SPEC.oauth.scopes if SPEC.oauth else ()),
        "token_type": "Bearer",
        "id_token": issued["id_token"],
        "expiry_date": int((time.time() + 3600) * 1000),
    }
    official.write_bytes(orjson.dumps(data))
    result = CliRunner().invoke(cli, ["import", "gemini_cli", "--from", str(official)])
    assert result.exit_code == 0, result.output
    [account] = stored_logins(dragoman_home)
    assert (account.provider, account.email) == ("gemini_cli", "carol@example.com")
    with serve_gateway(fakes, providers={}, oauth=gemini_cli.settings()) as root:
        assert chat(root).status_code == 200
    backend = code_assist(gemini_cli)
    assert backend.last.header("authorization") == f"Bearer {issued['access_token']}"
    assert backend.calls["loadCodeAssist"] == 1


def test_an_expired_token_is_refreshed_with_the_public_client_secret(
    gemini_cli: Subscription, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    store_login(dragoman_home, gemini_cli)
    with serve_gateway(fakes, providers={}, oauth=gemini_cli.settings()) as root:
        assert chat(root).status_code == 200
        gemini_cli.oauth.expire_access_tokens()
        response = chat(root)
    assert response.status_code == 200, response.text
    assert gemini_cli.oauth.refreshes == 1
    # The project found with the first token still serves the refreshed one.
    assert code_assist(gemini_cli).calls["loadCodeAssist"] == 1


def test_an_ineligible_account_is_refused_once_then_without_asking_google(
    gemini_cli: Subscription, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    """An imported personal login Code Assist no longer serves: a clear 403 with Google's
    reason, one loadCodeAssist for any number of requests, and `status` says why."""
    store_login(dragoman_home, gemini_cli)
    backend = code_assist(gemini_cli)
    backend.cut_off = True
    with serve_gateway(fakes, providers={}, oauth=gemini_cli.settings()) as root:
        answers = [chat(root) for _ in range(3)]
        status = httpx.get(root + "/v1/status").json()["accounts"]
    assert [answer.status_code for answer in answers] == [403, 403, 403]
    for answer in answers:
        assert (
            "no longer supported for Gemini Code Assist for individuals" in answer.json()["error"]["message"]
        )
    assert backend.calls == {"loadCodeAssist": 1}
    (row,) = status
    assert row["health"] == "login needed" and "Workspace" in row["problem"]
