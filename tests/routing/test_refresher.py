"""A running gateway keeps its registry current: accounts added or removed with the CLI,
and live model lists, are served without a restart and without holding up a request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dragoman.cli import cli
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.server import FakeServer
from tests.gateway import serve_gateway

CHAT = {"messages": [{"role": "user", "content": "hi"}]}


def accounts(*args: str) -> None:
    result = CliRunner().invoke(cli, ["accounts", *args])
    assert result.exit_code == 0, result.output


def models(url: str) -> list[str]:
    return [model["id"] for model in httpx.get(url + "/v1/models").json()["data"]]


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
