"""A local Ollama, present or absent, at start."""

from __future__ import annotations

import logging
import socket
import time

import httpx
import pytest

from dragoman.config import load
from dragoman.providers.ollama.detect import api_base, parse_tags, probe
from dragoman.routing.catalog import load_catalog
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.providers.ollama.fake import FakeOllama


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_the_api_base_is_under_v1_whatever_the_url_given() -> None:
    assert api_base("http://127.0.0.1:11434") == "http://127.0.0.1:11434/v1"
    assert api_base("http://box:11434/") == "http://box:11434/v1"
    assert api_base("http://box:11434/v1") == "http://box:11434/v1"


def test_tags_are_read_by_model_name() -> None:
    body = {"models": [{"name": "a:latest", "model": "a:latest"}, {"name": "b"}, {"size": 3}, "junk"]}
    assert [info.id for info in parse_tags(body)] == ["a:latest", "b"]
    with pytest.raises(ValueError, match="not an Ollama tag list"):
        parse_tags({"data": []})


async def test_a_present_ollama_is_found_with_its_models() -> None:
    with FakeOllama(["llama3.2:latest", "qwen3:8b"]) as ollama:
        models = await probe(ollama.url)
    assert [info.id for info in models or []] == ["llama3.2:latest", "qwen3:8b"]
    assert ollama.paths == ["/api/tags"]


async def test_an_absent_ollama_is_quick_and_quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    started = time.monotonic()
    assert await probe(closed_port_url()) is None
    assert time.monotonic() - started < 0.3
    assert [record.levelno for record in caplog.records if record.name.startswith("dragoman")] == [
        logging.DEBUG
    ]


async def test_a_silent_server_never_holds_start_up_longer_than_the_probe() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections, never answers
        started = time.monotonic()
        assert await probe(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.2) is None
    assert time.monotonic() - started < 0.5


async def test_found_at_start_as_provider_ollama() -> None:
    with FakeOllama(["llama3.2:latest"]) as ollama:
        catalog = await load_catalog(load(overrides={"ollama_url": ollama.url, "detect_ollama": True}), {})
    [upstream] = catalog.sources()
    assert (upstream.name, upstream.spec.kind, upstream.base_url) == ("ollama", "ollama", ollama.url + "/v1")
    assert upstream.api_key is None
    assert catalog.registry().model_ids() == ["llama3.2:latest"]


async def test_not_looked_for_when_configured_or_turned_off() -> None:
    with FakeOllama() as ollama:
        configured = {"mine": {"kind": "ollama", "base_url": ollama.url + "/v1", "models": ["qwen3:8b"]}}
        settings = {"ollama_url": ollama.url, "detect_ollama": True, "providers": configured}
        catalog = await load_catalog(load(overrides=settings), {})
        assert [up.name for up in catalog.sources()] == ["mine"]
        off = await load_catalog(load(overrides={"ollama_url": ollama.url, "detect_ollama": False}), {})
        assert off.sources() == []
    assert ollama.paths == []


async def test_absent_ollama_changes_nothing() -> None:
    catalog = await load_catalog(load(overrides={"ollama_url": closed_port_url(), "detect_ollama": True}), {})
    assert catalog.sources() == [] and catalog.looked_for_ollama


def test_a_running_gateway_serves_a_found_ollama(fakes: FakeUpstreams) -> None:
    with (
        FakeOllama(["llama3.2:latest", "qwen3:8b"]) as ollama,
        serve_gateway(fakes, ollama_url=ollama.url, detect_ollama=True) as url,
    ):
        listed = [model["id"] for model in httpx.get(url + "/v1/models").json()["data"]]
        assert {"llama3.2:latest", "qwen3:8b"} <= set(listed)
        body = {"model": "ollama/qwen3:8b", "messages": [{"role": "user", "content": "hi"}]}
        answer = httpx.post(url + "/v1/messages", json={**body, "max_tokens": 10})
        assert answer.status_code == 200, answer.text
        assert answer.json()["content"][0]["text"] == "OK from qwen3:8b"
    assert "/v1/chat/completions" in ollama.paths
