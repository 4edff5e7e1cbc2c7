from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from dragoman.server.middleware import new_request_id


def test_a_request_id_is_generated_and_echoed(make_client: Callable[..., TestClient]) -> None:
    response = make_client().get("/healthz")
    assert len(response.headers["x-request-id"]) == 32


def test_made_ids_sort_by_time_and_differ_within_a_millisecond() -> None:
    # Time-ordered, so the traces table's index on them grows at its end.
    first = new_request_id()
    time.sleep(0.002)
    later = [new_request_id() for _ in range(1000)]
    assert all(first < made for made in later)
    assert len(set(later)) == len(later)
    assert all(len(made) == 32 and int(made, 16) >= 0 for made in later)
    assert abs(int(first[:12], 16) / 1000 - time.time()) < 5


def test_the_clients_request_id_is_kept(make_client: Callable[..., TestClient]) -> None:
    response = make_client().get("/healthz", headers={"x-request-id": "trace-abc.123"})
    assert response.headers["x-request-id"] == "trace-abc.123"


def test_an_unsafe_request_id_is_replaced(make_client: Callable[..., TestClient]) -> None:
    response = make_client().get("/healthz", headers={"x-request-id": "bad id\twith spaces"})
    assert response.headers["x-request-id"] != "bad id\twith spaces"


def test_the_access_log_names_the_request(
    make_client: Callable[..., TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client()
    with caplog.at_level(logging.INFO, logger="dragoman.access"):
        client.post(
            "/v1/chat/completions",
            json={"model": "nope", "messages": [{"role": "user", "content": "x"}]},
            headers={"x-request-id": "req-77"},
        )
    [record] = [r for r in caplog.records if r.name == "dragoman.access"]
    assert record.status == 404  # type: ignore[attr-defined]
    assert record.dialect == "openai_chat"  # type: ignore[attr-defined]
    assert record.model == "nope"  # type: ignore[attr-defined]
    assert record.bytes_in > 0 and record.bytes_out > 0  # type: ignore[attr-defined]
    assert "POST /v1/chat/completions 404" in record.getMessage()
