"""Plain-HTTP helpers for the fakes' own tests: send a body, split an SSE stream by hand."""

from __future__ import annotations

import atexit
from functools import cache
from typing import Any

import httpx
import orjson

from tests.fakes import Fake

AUTH = {
    "openai_chat": lambda key: {"authorization": f"Bearer {key}"},
    "openai_responses": lambda key: {"authorization": f"Bearer {key}"},
    "anthropic": lambda key: {"x-api-key": key, "anthropic-version": "2023-06-01"},
    "gemini": lambda key: {"x-goog-api-key": key},
}


@cache
def _client() -> httpx.Client:
    # One shared client: building one per call (SSL context and all) costs tens of milliseconds.
    client = httpx.Client(timeout=10)
    atexit.register(client.close)
    return client


def post(fake: Fake, path: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    """POST `body` to the fake with its valid credentials (overridable through `headers`)."""
    sent = {**AUTH[fake.dialect](fake.key), "content-type": "application/json", **(headers or {})}
    sent = {k: v for k, v in sent.items() if v is not None}
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return _client().post(fake.url + path, content=content, headers=sent)


def events(raw: bytes) -> list[tuple[str | None, str]]:
    """(event name, data) pairs; events end at a blank line, CRLF or LF."""
    found = []
    for block in raw.replace(b"\r\n", b"\n").split(b"\n\n"):
        if not block.strip():
            continue
        name, data = None, []
        for line in block.decode().split("\n"):
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
        found.append((name, "\n".join(data)))
    return found


def payloads(raw: bytes) -> list[Any]:
    """The JSON data of every SSE event (skipping a literal [DONE])."""
    return [orjson.loads(data) for _, data in events(raw) if data != "[DONE]"]
