"""Cursor end to end: every client dialect's official SDK through dragoman to a Cursor
login. The Agent API is not spoken yet, so each client gets one clear 400 in its own
dialect, streamed or not, nothing reaches Cursor, and no token is in the answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import openai
import pytest
from google.genai import errors as genai_errors

from dragoman.store.accounts import Account
from tests.conformance.clients import DRIVERS
from tests.fakes.cursor import CursorFake
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.providers.cursor.conftest import cursor_login
from tests.providers.kiro.conftest import store
from tests.subscriptions import sdk_clients

SDK_ERRORS = (openai.APIStatusError, anthropic.APIStatusError, genai_errors.APIError)


@pytest.fixture
def account(cursor: CursorFake, dragoman_home: Path) -> Account:
    return store(dragoman_home, cursor_login(cursor))


@pytest.fixture
def sdks(cursor: CursorFake, account: Account, fakes: FakeUpstreams) -> Iterator[dict[str, Any]]:
    with serve_gateway(fakes, providers={}, oauth=cursor.settings()) as url, sdk_clients(url) as clients:
        yield clients


def _status(error: Exception) -> int:
    return error.code if isinstance(error, genai_errors.APIError) else error.status_code  # type: ignore[attr-defined]


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", sorted(DRIVERS))
def test_each_client_dialect_is_told_cursor_is_not_supported_yet(
    cursor: CursorFake, account: Account, sdks: dict[str, Any], dialect: str, stream: bool
) -> None:
    talk = DRIVERS[dialect](sdks[dialect], "auto", stream)
    talk.user("Hi")
    with pytest.raises(SDK_ERRORS) as caught:
        talk.send()
    text = str(caught.value)
    assert _status(caught.value) == 400
    assert "Cursor's Agent API" in text and "Traceback" not in text
    assert account.access_token not in text and (account.refresh_token or "") not in text
    assert cursor.agent_requests == 0


def test_a_refusal_does_not_count_against_the_account(cursor: CursorFake, sdks: dict[str, Any]) -> None:
    """The refusal is dragoman's, not Cursor's: the account is not cooled or taken out."""
    for _ in range(3):
        with pytest.raises(openai.BadRequestError, match="Cursor's Agent API"):
            sdks["openai_chat"].chat.completions.create(
                model="auto", messages=[{"role": "user", "content": "Hi"}]
            )
    assert cursor.agent_requests == 0
