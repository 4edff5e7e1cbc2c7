"""`/readyz`: ready while the database and Redis answer; 503 naming the database when it
is down; Redis down is 200 "degraded" naming it (every replica serves from its own copy,
so the balancer must keep them all); a URL's password never shown, no key needed, and
the answer kept for a second."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
from starlette.testclient import TestClient

from dragoman.server import readiness
from dragoman.store import open_database
from tests.databases import SERVER, _admin
from tests.state.conftest import redis_prefix

KEY = "sk-local-readiness-key-0123456789"


def test_ready_by_default_and_no_key_needed(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[KEY])
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


@pytest.fixture
def own_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Redis of the test's own (the shared one must stay up), on a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--requirepass", "hunter2-not-shown"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with socket.socket() as client:
            if client.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.02)
    yield f"redis://:hunter2-not-shown@127.0.0.1:{port}/0", server
    server.kill()
    server.wait()


def test_redis_gone_is_degraded_naming_redis_without_its_password(
    make_client: Callable[..., TestClient], own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, server = own_redis
    with redis_prefix() as prefix:
        client = make_client(redis_url=url, redis_prefix=prefix)
        assert client.get("/readyz").status_code == 200
        server.kill()
        server.wait()
        time.sleep(readiness.CACHE_SECONDS)
        response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["down"] == ["redis"]
    assert "hunter2" not in response.text and "127.0.0.1" in body["problems"]["redis"]


def test_the_database_gone_is_503_naming_the_database(make_client: Callable[..., TestClient]) -> None:
    name = f"dragoman_readyz_{time.time_ns()}"
    asyncio.run(_admin(f"CREATE DATABASE {name}"))
    url = SERVER.rpartition("/")[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    try:
        asyncio.run(_upgraded(url))
        client = make_client(database_url=url)
        assert client.get("/readyz").status_code == 200
        asyncio.run(_admin(f"DROP DATABASE {name} WITH (FORCE)"))
        time.sleep(readiness.CACHE_SECONDS)
        response = client.get("/readyz")
    finally:
        asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    assert response.status_code == 503 and response.json()["down"] == ["database"]


def test_the_answer_is_kept_for_a_second(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    client.get("/readyz")
    checked = client.app.state.readiness.checked_at  # type: ignore[attr-defined]
    client.get("/readyz")
    assert client.app.state.readiness.checked_at == checked  # type: ignore[attr-defined]


async def _upgraded(url: str) -> None:
    """`dragoman db upgrade` on `url`, as a replica's operator runs it first."""
    database = await open_database(url, upgrade=True)
    await database.close()
