"""A running gateway keeps its registry current: accounts added or removed with the CLI,
and live model lists, are served without a restart and without holding up a request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dragoman.cli import cli
from dragoman.config import load
from dragoman.providers.http import UpstreamClients
from dragoman.routing.catalog import Catalog
from dragoman.routing.refresher import Refresher
from dragoman.routing.registry import Registry
from dragoman.store.accounts import Account
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.server import FakeServer
from tests.gateway import serve_gateway

CHAT = {"messages": [{"role": "user", "content": "hi"}]}


def accounts(*args: str) -> None:
    result = CliRunner().invoke(cli, ["accounts", *args])
    assert result.exit_code == 0, result.output


def served(url: str) -> list[dict[str, Any]]:
    """The model list's rows of served models (`auto`, which dragoman owns, left out)."""
    rows: list[dict[str, Any]] = httpx.get(url + "/v1/models").json()["data"]
    return [model for model in rows if model["owned_by"] != "dragoman"]


def models(url: str) -> list[str]:
    return [model["id"] for model in served(url)]


def eventually(check: Callable[[], Any], timeout: float = 8.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_an_account_added_with_the_cli_is_served_within_seconds(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="from the account"))
    with serve_gateway(fakes, detect_ollama=False) as url:
        before = models(url)
        accounts(
            "add", "--provider", "openai_compatible", "--label", "added",
            "--base-url", fakes.openai_chat.base_url, "--api-key", fakes.openai_chat.key,
            "--model", "gpt-4o-mini",
        )  # fmt: skip
        started = time.monotonic()
        assert eventually(lambda: "gpt-4o-mini" in models(url)), "the account was not picked up"
        assert time.monotonic() - started < 5
        answer = httpx.post(url + "/v1/chat/completions", json={"model": "added/gpt-4o-mini", **CHAT})
        assert answer.status_code == 200, answer.text
        assert answer.json()["choices"][0]["message"]["content"] == "from the account"
        assert fakes.openai_chat.last.header("authorization") == f"Bearer {fakes.openai_chat.key}"

        accounts("remove", "added")
        assert eventually(lambda: models(url) == before), "the removed account is still served"
        gone = httpx.post(url + "/v1/chat/completions", json={"model": "added/gpt-4o-mini", **CHAT})
        assert gone.status_code == 404


def test_a_new_account_without_models_gets_its_live_list_at_once(
    fakes: FakeUpstreams, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fakes.anthropic, "models", ["claude-live-1", "claude-live-2"])
    with serve_gateway(fakes, detect_ollama=False) as url:
        accounts(
            "add", "--provider", "openai_compatible", "--label", "listed", "--dialect", "anthropic",
            "--base-url", fakes.anthropic.base_url, "--api-key", fakes.anthropic.key,
        )  # fmt: skip
        assert eventually(lambda: {"claude-live-1", "claude-live-2"} <= set(models(url)))


def test_live_lists_are_read_after_start_and_refreshed(
    fakes: FakeUpstreams, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fakes.gemini, "models", ["gemini-live-a"])
    provider = {"kind": "gemini", "base_url": fakes.gemini.base_url, "api_key": fakes.gemini.key}
    with serve_gateway(
        fakes, providers={"g": provider}, detect_ollama=False, model_refresh_seconds=0.3
    ) as url:
        assert eventually(lambda: "gemini-live-a" in models(url))
        card = next(m for m in httpx.get(url + "/v1/models").json()["data"] if m["id"] == "gemini-live-a")
        assert card["context_window"] == 1_048_576, "limits from the live list"
        monkeypatch.setattr(fakes.gemini, "models", ["gemini-live-b"])
        assert eventually(lambda: "gemini-live-b" in models(url))
        assert "gemini-live-a" not in models(url)


class SlowList:
    """An OpenAI-style upstream whose model list takes seconds to come."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.asked = 0
        self.app = Starlette(routes=[Route("/v1/models", self.listing)])

    async def listing(self, request: Request) -> JSONResponse:
        self.asked += 1
        await asyncio.sleep(self.delay)
        return JSONResponse({"object": "list", "data": [{"id": "slow-model", "object": "model"}]})


def test_a_slow_list_never_holds_up_a_request(fakes: FakeUpstreams) -> None:
    slow = SlowList(delay=2.0)
    with FakeServer(slow.app) as server:
        provider = {"kind": "openai_compatible", "base_url": server.url + "/v1"}
        with serve_gateway(fakes, providers={"slow": provider}, detect_ollama=False) as url:
            assert eventually(lambda: slow.asked, timeout=3)
            started = time.monotonic()
            assert models(url) == []
            assert time.monotonic() - started < 1
            assert eventually(lambda: models(url) == ["slow-model"], timeout=5)


def overlapping(fakes: FakeUpstreams) -> dict[str, dict[str, Any]]:
    """openai first, anthropic second: the openai upstream is an aggregator whose live
    list repeats an Anthropic model and adds one nobody else serves."""
    chat, anthropic = fakes.openai_chat, fakes.anthropic
    return {
        "openai": {
            "kind": "openai",
            "dialect": "openai_chat",
            "base_url": chat.base_url,
            "api_key": chat.key,
        },
        "anthropic": {"kind": "anthropic", "base_url": anthropic.base_url, "api_key": anthropic.key},
    }


def config_toml(providers: dict[str, dict[str, Any]]) -> str:
    lines = ["detect_ollama = false"]
    for name, table in providers.items():
        lines.append(f"[providers.{name}]")
        lines += [f'{key} = "{value}"' for key, value in table.items()]
    return "\n".join(lines) + "\n"


def cli_providers(*args: str) -> dict[str, str]:
    result = CliRunner().invoke(cli, ["models", "--json", *args])
    assert result.exit_code == 0, result.output
    return {row["id"]: row["provider"] for row in orjson.loads(result.stdout)["models"]}


def owners(url: str) -> dict[str, str]:
    return {model["id"]: model["owned_by"] for model in served(url)}


def test_live_lists_add_models_but_never_move_one_to_another_provider(
    fakes: FakeUpstreams, dragoman_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fakes.openai_chat, "models", ["gpt-4.1", "claude-sonnet-4-5", "aggregated-only"])
    monkeypatch.setattr(fakes.anthropic, "models", ["claude-sonnet-4-5"])
    fakes.anthropic.script(Reply(text="from anthropic"))
    providers = overlapping(fakes)
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(config_toml(providers))
    assert cli_providers()["claude-sonnet-4-5"] == "anthropic", "what the banner and `models` show"
    with serve_gateway(fakes, providers=providers, detect_ollama=False, model_refresh_seconds=0.3) as url:
        assert eventually(lambda: "aggregated-only" in owners(url)), "the live lists never arrived"
        served = owners(url)
        answer = httpx.post(url + "/v1/chat/completions", json={"model": "claude-sonnet-4-5", **CHAT})
    assert answer.status_code == 200, answer.text
    assert answer.json()["choices"][0]["message"]["content"] == "from anthropic"
    assert not [seen for seen in fakes.openai_chat.requests if seen.method == "POST"]
    assert served["claude-sonnet-4-5"] == "anthropic"
    assert served["aggregated-only"] == "openai", "a model only a live list knows is added"
    assert cli_providers("--live") == served


class Accounts:
    """An accounts table a test edits between two polls."""

    def __init__(self, *accounts: Account) -> None:
        self.rows = list(accounts)

    async def list(self) -> list[Account]:
        return list(self.rows)


def local_account(label: str, *models: str) -> Account:
    return Account("openai_compatible", label=label, models=models, base_url="http://127.0.0.1:9/v1")


async def test_a_model_whose_primary_changes_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="dragoman.routing")
    table = Accounts(local_account("first", "shared"), local_account("second", "shared", "other"))
    catalog = Catalog(load(overrides={"detect_ollama": False}), [], environ={})
    catalog.set_accounts(await table.list())
    published: list[Registry] = []
    clients = UpstreamClients()
    refresher = Refresher(catalog, table, clients, published.append, poll_seconds=0.05)
    refresher.start()
    try:
        table.rows = table.rows[1:]
        async with asyncio.timeout(5):
            while not published:
                await asyncio.sleep(0.02)
    finally:
        await refresher.stop()
        await clients.aclose()
    assert published[-1].resolve("shared")[0].upstream.name == "second"
    moved = [r.getMessage() for r in caplog.records if "now served by" in r.getMessage()]
    assert moved == ["model shared is now served by second (was first)"]
