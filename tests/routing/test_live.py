"""Live model lists read from the fake upstreams, merged over the built-in lists."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dragoman.config import load
from dragoman.ir.errors import UpstreamError
from dragoman.ir.models import ModelInfo
from dragoman.providers import discover
from dragoman.providers.http import UpstreamClients
from dragoman.providers.upstream import Upstream, build_upstreams
from dragoman.routing.live import LiveLists, fetch, merge, wants_live
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.server import FakeServer


def upstream(**provider: Any) -> Upstream:
    return build_upstreams(load(overrides={"providers": {"p": provider}}), environ={})[0]


def compatible(fakes: FakeUpstreams, dialect: str, **extra: Any) -> Upstream:
    fake = fakes[dialect]
    return upstream(
        kind="openai_compatible", dialect=dialect, base_url=fake.base_url, api_key=fake.key, **extra
    )


@pytest.fixture
async def clients() -> AsyncIterator[UpstreamClients]:
    pool = UpstreamClients()
    yield pool
    await pool.aclose()


@pytest.mark.parametrize("dialect", ["openai_chat", "openai_responses", "anthropic", "gemini"])
async def test_each_dialect_reads_its_upstreams_list(
    fakes: FakeUpstreams, clients: UpstreamClients, dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fakes[dialect]
    monkeypatch.setattr(fake, "models", ["model-a", "model-b"])
    listed = await fetch(clients, compatible(fakes, dialect))
    assert [info.id for info in listed] == ["model-a", "model-b"]
    assert fake.last.method == "GET" and fake.last.path.endswith("/models")


async def test_gemini_limits_come_from_the_list(fakes: FakeUpstreams, clients: UpstreamClients) -> None:
    [first, *_] = await fetch(clients, compatible(fakes, "gemini"))
    assert (first.context_window, first.max_output_tokens, first.reasoning) == (1_048_576, 65_536, True)
    assert fakes.gemini.last.query == {"pageSize": "1000"}
    assert fakes.gemini.last.header("x-goog-api-key") == fakes.gemini.key


async def test_anthropic_is_asked_with_its_key_and_version(
    fakes: FakeUpstreams, clients: UpstreamClients
) -> None:
    await fetch(
        clients, upstream(kind="anthropic", base_url=fakes.anthropic.base_url, api_key=fakes.anthropic.key)
    )
    seen = fakes.anthropic.last
    assert seen.header("x-api-key") == fakes.anthropic.key
    assert seen.header("anthropic-version") == "2023-06-01"
    assert seen.query == {"limit": "1000"}


async def test_a_refused_key_is_an_error_in_the_gateways_terms(
    fakes: FakeUpstreams, clients: UpstreamClients
) -> None:
    wrong = upstream(
        kind="openai_compatible", base_url=fakes.openai_chat.base_url, api_key="sk-wrong-key-000"
    )
    with pytest.raises(UpstreamError, match="Incorrect API key"):
        await fetch(clients, wrong)


class Pages:
    """An upstream listing one model per page, in Gemini's and Anthropic's paging styles."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.queries: list[dict[str, str]] = []
        self.app = Starlette(
            routes=[Route("/gemini/models", self.gemini), Route("/anthropic/models", self.anthropic)]
        )

    async def gemini(self, request: Request) -> JSONResponse:
        self.queries.append(dict(request.query_params))
        at = int(request.query_params.get("pageToken", "0"))
        body: dict[str, Any] = {"models": [{"name": f"models/{self.ids[at]}"}]}
        if at + 1 < len(self.ids):
            body["nextPageToken"] = str(at + 1)
        return JSONResponse(body)

    async def anthropic(self, request: Request) -> JSONResponse:
        self.queries.append(dict(request.query_params))
        after = request.query_params.get("after_id")
        at = self.ids.index(after) + 1 if after else 0
        entry = {
            "type": "model",
            "id": self.ids[at],
            "display_name": self.ids[at],
            "created_at": "2025-01-01T00:00:00Z",
        }
        return JSONResponse({"data": [entry], "has_more": at + 1 < len(self.ids), "last_id": self.ids[at]})


@pytest.mark.parametrize("dialect", ["gemini", "anthropic"])
async def test_every_page_is_read(clients: UpstreamClients, dialect: str) -> None:
    pages = Pages(["m1", "m2", "m3"])
    with FakeServer(pages.app) as server:
        target = upstream(kind="openai_compatible", dialect=dialect, base_url=f"{server.url}/{dialect}")
        listed = await fetch(clients, target)
    assert [info.id for info in listed] == ["m1", "m2", "m3"]
    assert len(pages.queries) == 3
    assert pages.queries[-1] == (
        {"pageSize": "1000", "pageToken": "2"} if dialect == "gemini" else {"limit": "1000", "after_id": "m2"}
    )


def test_the_live_list_adds_models_and_fills_limits_the_builtin_list_lacks() -> None:
    builtin = discover()["anthropic"].models[0]
    target = upstream(kind="anthropic", api_key="k")
    live = (
        ModelInfo(builtin.id, display_name="Listed Name"),
        ModelInfo("brand-new", context_window=100_000, max_output_tokens=8_000),
    )
    merged = merge(target, live)
    ids = [info.id for info in merged.models]
    assert ids == [*(info.id for info in target.models), "brand-new"]
    first = merged.models[0]
    assert (first.context_window, first.max_output_tokens, first.vision) == (
        builtin.context_window, builtin.max_output_tokens, builtin.vision,
    )  # fmt: skip
    assert first.display_name == "Listed Name"
    assert merged.models[-1].context_window == 100_000
    sized = merge(target, (ModelInfo(builtin.id, context_window=123),))
    assert sized.models[0].context_window == 123, "the upstream's own limit wins when it gives one"


def test_an_explicit_models_list_is_kept_exactly() -> None:
    fixed = upstream(kind="openai_compatible", base_url="http://127.0.0.1:9/v1", models=["only-this"])
    assert not wants_live(fixed)
    assert [info.id for info in merge(fixed, (ModelInfo("other"),)).models] == ["only-this"]
    assert wants_live(upstream(kind="openai_compatible", base_url="http://127.0.0.1:9/v1"))


async def test_a_failing_list_keeps_the_last_one_and_warns_once(
    fakes: FakeUpstreams,
    clients: UpstreamClients,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG, logger="dragoman.routing.live")
    lists = LiveLists()
    target = compatible(fakes, "openai_chat")
    assert await lists.refresh(clients, [target]) is True
    before = lists.models["p"]
    monkeypatch.setattr(fakes.openai_chat, "key", "sk-rotated-000000")
    for _ in range(3):
        assert await lists.refresh(clients, [target]) is False
    assert lists.models["p"] == before
    levels = [record.levelno for record in caplog.records]
    assert levels == [logging.WARNING, logging.DEBUG, logging.DEBUG]
    assert "the model list of p could not be read" in caplog.records[0].getMessage()
    monkeypatch.setattr(fakes.openai_chat, "models", ["fresh"])
    monkeypatch.setattr(fakes.openai_chat, "key", target.api_key)
    assert await lists.refresh(clients, [target]) is True
    assert [info.id for info in lists.models["p"]] == ["fresh"]
