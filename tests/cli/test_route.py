"""`dragoman route explain`: the decision for a saved request, the same one a running
gateway makes for it (checked against the gateway's `x-dragoman-route`)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from click.testing import CliRunner

from dragoman.cli import cli
from tests.captures import CAPTURES
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import UPSTREAM_MODELS, serve_gateway

RULES = """
[auto.tiers]
simple = "gemini-2.5-flash"
medium = "gpt-4.1"
complex = "claude-sonnet-4-6"
reasoning = "gpt-5"

[[routing.rules]]
name = "gemini-router"
match = { client = "gemini-cli", tools = false }
set = { model = "gemini-2.5-flash" }

[[routing.rules]]
name = "team-b"
match = { header = { "x-team" = "b" } }
deny = "team b is out"
"""
ROUTER = CAPTURES / "gemini-cli" / "04-gemini.generate.json"
CLAUDE_CODE = CAPTURES / "claude-code" / "01-anthropic.messages.stream.json"


def _providers(fakes: FakeUpstreams) -> str:
    tables = [
        f'[providers.up_{dialect}]\nkind = "openai_compatible"\ndialect = "{dialect}"\n'
        f'base_url = "{fakes[dialect].base_url}"\napi_key = "{fakes[dialect].key}"\n'
        f"models = {orjson.dumps(models).decode()}\n"
        for dialect, models in UPSTREAM_MODELS.items()
    ]
    return "\n".join(tables)


@pytest.fixture
def config(dragoman_home: Path, fakes: FakeUpstreams) -> dict[str, Any]:
    text = RULES + _providers(fakes)
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(text)
    return tomllib.loads(text)


def explain(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["route", "explain", "--json", *args])
    assert result.exit_code == 0, result.output
    return dict(orjson.loads(result.stdout))


def _gateway_route(url: str, saved: Path, model: str | None = None) -> str:
    capture = orjson.loads(saved.read_bytes())
    body = {**capture["body"], **({"model": model} if model else {})}
    if "stream" in body:
        body["stream"] = False
    headers = {"user-agent": capture["headers"].get("User-Agent", ""), "anthropic-version": "2023-06-01"}
    path = capture["path"].replace("streamGenerateContent", "generateContent")
    answer = httpx.post(url + path, content=orjson.dumps(body), headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.headers["x-dragoman-route"]


def test_explain_makes_the_gateways_decision(config: dict[str, Any], fakes: FakeUpstreams) -> None:
    router = explain(str(ROUTER))
    agent = explain(str(CLAUDE_CODE), "--model", "auto")
    assert router["dialect"] == "gemini" and router["decision"]["rule"] == "gemini-router"
    assert agent["dialect"] == "anthropic" and agent["decision"]["tier"] == "medium"
    assert agent["signals"]["tools"] == 12 and agent["classification"]["scores"]["tools"] == 1
    with serve_gateway(fakes, **config) as url:
        assert _gateway_route(url, ROUTER) == router["header"]
        assert _gateway_route(url, CLAUDE_CODE, model="auto") == agent["header"]


def test_a_header_given_on_the_command_line_counts(config: dict[str, Any], tmp_path: Path) -> None:
    body = tmp_path / "chat.json"
    body.write_bytes(orjson.dumps({"model": "gpt-4.1", "messages": [{"role": "system", "content": "hi"}]}))
    assert explain(str(body))["decision"] is None
    denied = explain(str(body), "--header", "X-Team: b")
    assert denied["refused"].startswith("403 team b is out")
    result = CliRunner().invoke(cli, ["route", "explain", str(body), "--header", "no-colon"])
    assert result.exit_code == 2 and "K:V" in result.output


def test_the_text_shows_each_signal_and_the_tier_map(config: dict[str, Any]) -> None:
    result = CliRunner().invoke(cli, ["route", "explain", str(CLAUDE_CODE), "--model", "auto"])
    assert result.exit_code == 0, result.output
    assert "x-dragoman-route: tier=medium; model=gpt-4.1" in result.output
    assert "system_tokens" in result.output and "+1" in result.output
    assert "simple=gemini-2.5-flash" in result.output


def test_a_file_that_is_no_request_is_refused(config: dict[str, Any], tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2]")
    result = CliRunner().invoke(cli, ["route", "explain", str(junk)])
    assert result.exit_code == 2 and "not a saved request" in result.output
