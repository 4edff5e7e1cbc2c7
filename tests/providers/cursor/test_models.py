"""Cursor's live model list: `GetUsableModels`, a Connect unary call in protobuf, read
with the account's login and the CLI's headers, merged over the built-in `auto`; a
refused or empty list leaves the built-in one, and requests stay refused."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import openai
import pytest

from dragoman.providers.cursor.models import MODELS, parse_list
from dragoman.providers.spec import ModelInfo
from tests.fakes.cursor import CursorFake
from tests.fakes.cursor_proto import model_details, usable_models
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.providers.cursor.conftest import cursor_login
from tests.providers.kiro.conftest import store

ONLY_LIVE = "gpt-5"


def test_a_list_is_read_with_names_and_thinking() -> None:
    unnamed = model_details("composer-1")
    unnamed.ClearField("display_name")
    listed = [model_details("gpt-5", "GPT-5", thinking=True), unnamed, model_details("")]
    assert parse_list(usable_models(listed)) == [
        ModelInfo("gpt-5", reasoning=True, display_name="GPT-5"),
        ModelInfo("composer-1", display_name="composer-1"),  # the short name fills in
    ]


def test_an_empty_list_says_nothing() -> None:
    assert parse_list(b"") == []


@pytest.mark.parametrize(
    "body", [b'{"models": []}', bytes([0x0A, 9, 0x0A]), bytes([0x08, 1])], ids=["json", "cut", "varint"]
)
def test_an_answer_that_is_no_list_is_refused(body: bytes) -> None:
    with pytest.raises(ValueError, match="not a Cursor model list"):
        parse_list(body)


def test_the_accounts_own_list_is_served(
    cursor: CursorFake, dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    account = store(dragoman_home, cursor_login(cursor))
    with serve_gateway(fakes, providers={}, oauth=cursor.settings()) as url:
        listed = _listed(url)
        with pytest.raises(openai.BadRequestError, match="Cursor's Agent API"):
            openai.OpenAI(base_url=f"{url}/v1", api_key="unused").chat.completions.create(
                model=ONLY_LIVE, messages=[{"role": "user", "content": "Hi"}]
            )
    assert {"auto", "default", "composer-1", "claude-4.5-sonnet-thinking", ONLY_LIVE} <= set(listed)
    assert str(listed[ONLY_LIVE]["owned_by"]).startswith("cursor")
    sent = cursor.list_requests[0]
    assert sent["authorization"] == f"Bearer {account.access_token}"
    assert sent["content-type"] == "application/proto" and sent["connect-protocol-version"] == "1"
    assert sent["x-cursor-client-type"] == "cli" and sent["x-cursor-client-version"].startswith("cli-")
    assert sent["x-ghost-mode"] == "true" and sent["user-agent"].startswith("connect-es/")
    assert uuid.UUID(sent["x-request-id"]).version == 4
    assert cursor.agent_requests == 0


@pytest.mark.parametrize("why", ["refused", "empty"])
def test_a_refused_or_empty_list_leaves_the_built_in_one(
    cursor: CursorFake, dragoman_home: Path, fakes: FakeUpstreams, why: str, caplog: pytest.LogCaptureFixture
) -> None:
    store(dragoman_home, cursor_login(cursor))
    if why == "refused":
        cursor.access_tokens.clear()  # the fake no longer knows the login: 401 unauthenticated
    else:
        cursor.models.clear()
    with serve_gateway(fakes, providers={}, oauth=cursor.settings()) as url:
        deadline = time.monotonic() + 10
        while not cursor.list_requests and time.monotonic() < deadline:
            time.sleep(0.05)
        listed = _listed(url, wait_for=None)
    assert sorted(listed) == sorted(info.id for info in MODELS)
    assert cursor.list_requests  # asked, and refused or told nothing
    warned = [record.getMessage() for record in caplog.records if record.name == "dragoman.routing.live"]
    # Connect's JSON error is read for its message; nothing is said of an empty list.
    assert [text.rpartition(": ")[2] for text in warned] == (["Not logged in"] if why == "refused" else [])


def _listed(url: str, wait_for: str | None = ONLY_LIVE) -> dict[str, dict[str, object]]:
    deadline = time.monotonic() + 10
    while True:
        answer = httpx.get(f"{url}/v1/models", timeout=10).json()
        listed = {model["id"]: model for model in answer["data"]}
        if wait_for is None or wait_for in listed or time.monotonic() > deadline:
            return listed
        time.sleep(0.05)
