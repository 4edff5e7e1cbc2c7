"""Kiro's live model list: `ListAvailableModels`, paged with `nextToken`, read with the
account's login (its profile in every page's query, or a key's `tokentype`), merged
over the built-in list."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from dragoman.providers.kiro.models import LIST_QUERY, MODELS, next_page, parse_list
from dragoman.providers.spec import ModelInfo
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.kiro import PROFILE_ARN, KiroFake, model_entry
from tests.gateway import serve_gateway
from tests.providers.kiro.conftest import key_login, social_login, store

ONLY_LIVE = "deepseek-3.2"


def test_a_page_is_read_with_its_limits_and_inputs() -> None:
    text_only = {"modelId": "qwen3-coder-next", "supportedInputTypes": ["TEXT"], "tokenLimits": {}}
    models = [model_entry("claude-sonnet-4.5"), text_only, {"modelName": "no id"}]
    page = {"models": models, "nextToken": "t1"}
    assert parse_list(page) == [
        ModelInfo(
            "claude-sonnet-4.5",
            context_window=200_000,
            max_output_tokens=64_000,
            vision=True,
            display_name="Claude Sonnet 4.5",
        ),
        ModelInfo("qwen3-coder-next"),
    ]
    assert next_page(page) == {**LIST_QUERY, "nextToken": "t1"}
    assert next_page({"models": []}) is None


def test_an_answer_that_is_no_list_is_refused() -> None:
    with pytest.raises(ValueError, match="no `models` array"):
        parse_list({"message": "The bearer token included in the request is invalid."})


@pytest.mark.parametrize("kind", ["social", "api_key"])
def test_the_accounts_own_list_is_served_page_by_page(
    kiro: KiroFake, dragoman_home: Path, fakes: FakeUpstreams, kind: str
) -> None:
    kiro.models.append(ONLY_LIVE)
    kiro.list_page = 2
    store(dragoman_home, social_login(kiro) if kind == "social" else key_login(kiro))
    with serve_gateway(fakes, providers={}, oauth=kiro.settings()) as url:
        listed = _listed(url)
    assert listed[ONLY_LIVE]["context_window"] == 200_000
    assert set(kiro.models) <= set(listed)
    pages = kiro.list_requests[:3]
    assert [page.query.get("nextToken") is None for page in pages] == [True, False, False]
    profiles = {page.query.get("profileArn") for page in pages}
    assert profiles == ({PROFILE_ARN} if kind == "social" else {None})


def test_a_refused_list_leaves_the_built_in_one(
    kiro: KiroFake, dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    kiro.models.append(ONLY_LIVE)
    store(dragoman_home, social_login(kiro))
    kiro.expire_tokens()
    kiro.refresh_tokens.clear()  # the login cannot be renewed: every list is refused
    with serve_gateway(fakes, providers={}, oauth=kiro.settings()) as url:
        deadline = time.monotonic() + 10
        while not kiro.list_requests and time.monotonic() < deadline:
            time.sleep(0.05)
        listed = _listed(url, wait_for=None)
    assert sorted(listed) == sorted(info.id for info in MODELS)
    assert ONLY_LIVE not in listed and kiro.list_requests  # asked, and refused


def _listed(url: str, wait_for: str | None = ONLY_LIVE) -> dict[str, dict[str, object]]:
    deadline = time.monotonic() + 10
    while True:
        answer = httpx.get(f"{url}/v1/models", timeout=10).json()
        listed = {model["id"]: model for model in answer["data"]}
        if wait_for is None or wait_for in listed or time.monotonic() > deadline:
            return listed
        time.sleep(0.05)
