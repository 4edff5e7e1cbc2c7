from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient


def test_a_request_id_is_generated_and_echoed(make_client: Callable[..., TestClient]) -> None:
    response = make_client().get("/healthz")
    assert len(response.headers["x-request-id"]) == 32


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
