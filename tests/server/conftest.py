"""A gateway app per test, driven in-process through Starlette's TestClient."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from dragoman.config import load
from dragoman.server.app import build_gateway, create_app

LOCAL = {"kind": "openai_compatible", "base_url": "http://127.0.0.1:9/v1", "models": ["local-model"]}


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        overrides.setdefault("providers", {"local": LOCAL})
        settings = load(overrides=overrides)
        client = TestClient(create_app(build_gateway(settings, environ={})), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
