"""Every real captured client request is accepted by the fake of its wire format.

A fake stricter than its provider would fail dragoman for requests real clients send; these
captures (tests/fixtures/client-requests) are what Claude Code, Codex, Gemini CLI and the
SDKs actually put on the wire.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.captures import files
from tests.fakes.fixtures import FakeUpstreams
from tests.test_fakes.raw import post

DIALECT_BY_PATH = {
    "/v1/chat/completions": "openai_chat",
    "/v1/responses": "openai_responses",
    "/v1/messages": "anthropic",
    "/v1/messages/count_tokens": "anthropic",
}
# The capture server answered the first turn's tool call without a thinking block, so the
# replayed history lacks one; the real API (and the fake, by default) would refuse it.
NO_THINKING_REPLAY = {"claude-code/03-anthropic.messages.stream.json"}
DROPPED_HEADERS = {"content-length", "host", "accept-encoding", "connection", "transfer-encoding"}


def _generation_captures() -> list[Path]:
    found = []
    for path in files():
        capture = orjson.loads(path.read_bytes())
        if capture["method"] == "POST" and _dialect(capture["path"]):
            found.append(path)
    return found


def _dialect(path: str) -> str | None:
    # Gemini methods are the only paths with a colon: /v1beta/models/{model}:generateContent.
    return "gemini" if ":" in path else DIALECT_BY_PATH.get(path)


GENERATION = _generation_captures()


def test_every_client_s_generation_requests_are_there() -> None:
    assert len(GENERATION) >= 35
    assert {path.parent.name for path in GENERATION} == {"claude-code", "codex", "gemini-cli", "python-sdks"}


@pytest.mark.parametrize("path", GENERATION, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_capture_is_accepted(fakes: FakeUpstreams, path: Path) -> None:
    capture: dict[str, Any] = orjson.loads(path.read_bytes())
    dialect = _dialect(capture["path"])
    assert dialect is not None
    fake = fakes[dialect]
    if f"{path.parent.name}/{path.name}" in NO_THINKING_REPLAY:
        fake.require_thinking_replay = False  # type: ignore[attr-defined]
    headers = {
        name: value.replace("<API_KEY>", fake.key)
        for name, value in capture["headers"].items()
        if name.lower() not in DROPPED_HEADERS
    }
    query = "&".join(f"{k}={v[0]}" for k, v in capture["query"].items())
    response = post(fake, capture["path"] + (f"?{query}" if query else ""), capture["body"], headers)
    assert response.status_code == 200, response.text
