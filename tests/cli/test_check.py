"""`dragoman test PROVIDER` against the fake upstreams."""

from __future__ import annotations

import socket
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from dragoman.cli import cli
from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams

LIMIT_HEADERS = {
    "openai_chat": {"x-ratelimit-remaining-requests": "499", "x-ratelimit-reset-tokens": "6ms"},
    "openai_responses": {"x-ratelimit-limit-requests": "500"},
    "anthropic": {
        "anthropic-ratelimit-requests-remaining": "49",
        "anthropic-ratelimit-tokens-reset": "2026-01-01T00:00:00Z",
    },
    "gemini": {"x-ratelimit-remaining": "9"},
}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["test", *args], terminal_width=200)


def configure(home: Path, fakes: FakeUpstreams, *, models: bool = True) -> None:
    lines = ["detect_ollama = false"]
    for dialect in ("openai_chat", "openai_responses", "anthropic", "gemini"):
        fake = fakes[dialect]
        lines += [
            f"[providers.up_{dialect}]",
            'kind = "openai_compatible"',
            f'dialect = "{dialect}"',
            f'base_url = "{fake.base_url}"',
            f'api_key = "{fake.key}"',
        ]
        if models:
            lines.append(f"models = {orjson.dumps(fake.models[1:] + fake.models[:1]).decode()}")
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("dialect", ["openai_chat", "openai_responses", "anthropic", "gemini"])
def test_status_latency_reply_and_rate_limits(
    dragoman_home: Path, fakes: FakeUpstreams, dialect: str
) -> None:
    configure(dragoman_home, fakes)
    fake = fakes[dialect]
    fake.script(Reply(text="OK, here I am.", headers=LIMIT_HEADERS[dialect]))
    result = run(f"up_{dialect}")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ok up_" in out and "200" in out and " ms" in out
    assert "OK, here I am." in out
    for name, value in LIMIT_HEADERS[dialect].items():
        assert f"{name}: {value}" in out
    sent = orjson.dumps(fake.last.json).decode()
    assert "Reply with OK" in sent
    assert fake.models[1] in (sent + fake.last.path), "the provider's first model is the default"


def test_json_and_an_explicit_model(dragoman_home: Path, fakes: FakeUpstreams) -> None:
    configure(dragoman_home, fakes)
    fakes.anthropic.script(Reply(text="OK", headers={"anthropic-ratelimit-requests-remaining": "7"}))
    result = run("up_anthropic", "--model", "claude-haiku-4-5", "--json")
    assert result.exit_code == 0, result.output
    shown = orjson.loads(result.output)
    assert shown["ok"] is True and shown["status"] == 200 and shown["model"] == "claude-haiku-4-5"
    assert shown["reply"] == "OK" and shown["latency_ms"] > 0
    assert shown["rate_limits"] == {"anthropic-ratelimit-requests-remaining": "7"}
    assert shown["url"] == fakes.anthropic.base_url + "/messages"
    assert fakes.anthropic.last.json["model"] == "claude-haiku-4-5"
    assert fakes.anthropic.last.json["max_tokens"] <= 64


def test_a_long_reply_shows_its_first_words(dragoman_home: Path, fakes: FakeUpstreams) -> None:
    configure(dragoman_home, fakes)
    fakes.openai_chat.script(Reply(text=" ".join(f"w{n}" for n in range(40))))
    result = run("up_openai_chat")
    assert "w0 w1 w2" in result.output and "w11 ..." in result.output and "w12" not in result.output


def test_a_failure_prints_the_error_and_exits_1(dragoman_home: Path, fakes: FakeUpstreams) -> None:
    configure(dragoman_home, fakes)
    headers = {"x-ratelimit-remaining-requests": "0"}
    fakes.openai_chat.script(
        Reply(error=Failure(429, "Rate limit reached, slow down", retry_after=7, headers=headers))
    )
    result = run("up_openai_chat")
    assert result.exit_code == 1
    assert "failed" in result.output and "429" in result.output
    assert "Rate limit reached, slow down" in result.output
    assert "retry-after: 7" in result.output and "x-ratelimit-remaining-requests: 0" in result.output


def test_a_wrong_key_is_reported_without_the_key(dragoman_home: Path, fakes: FakeUpstreams) -> None:
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(
        'detect_ollama = false\n[providers.bad]\nkind = "anthropic"\n'
        f'base_url = "{fakes.anthropic.base_url}"\napi_key = "sk-ant-wrong-key-123456"\n'
    )
    result = run("bad", "--json")
    assert result.exit_code == 1
    shown = orjson.loads(result.output)
    assert shown["ok"] is False and shown["status"] == 401 and shown["error"]
    assert "sk-ant-wrong-key-123456" not in result.output


def test_an_unreachable_upstream(dragoman_home: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(
        f'detect_ollama = false\n[providers.down]\nkind = "openai_compatible"\nbase_url = "http://127.0.0.1:{port}/v1"\n'
        'models = ["m"]\n'
    )
    result = run("down")
    assert result.exit_code == 1
    assert "no answer" in result.output and "unreachable" in result.output


def test_the_default_model_may_come_from_the_live_list(dragoman_home: Path, fakes: FakeUpstreams) -> None:
    configure(dragoman_home, fakes, models=False)
    result = run("up_gemini")
    assert result.exit_code == 0, result.output
    assert fakes.gemini.default_models[0] in fakes.gemini.last.path


def test_an_account_can_be_tested_by_its_label(dragoman_home: Path, fakes: FakeUpstreams) -> None:
    configure(dragoman_home, fakes)
    added = CliRunner().invoke(
        cli,
        ["accounts", "add", "--provider", "anthropic", "--label", "acct",
         "--base-url", fakes.anthropic.base_url, "--model", "claude-opus-4-7"],
        input=fakes.anthropic.key + "\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    result = run("acct")
    assert result.exit_code == 0, result.output
    assert fakes.anthropic.last.json["model"] == "claude-opus-4-7"


def test_an_unknown_provider_names_the_known_ones(dragoman_home: Path, fakes: FakeUpstreams) -> None:
    configure(dragoman_home, fakes)
    result = run("nope")
    assert result.exit_code == 1
    assert "no provider 'nope'" in result.output and "up_anthropic" in result.output


def test_credentials_in_the_base_url_are_masked_in_what_it_prints(
    dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    """A base URL carrying its own credentials (no api_key: the URL is the login)."""
    fake = fakes["openai_chat"]
    base_url = fake.base_url.replace("http://", "http://me:url-pass-000111@")
    dragoman_home.mkdir(parents=True, exist_ok=True)
    (dragoman_home / "config.toml").write_text(
        f'detect_ollama = false\n[providers.up]\nkind = "openai_compatible"\ndialect = "openai_chat"\n'
        f'base_url = "{base_url}"\nmodels = ["{fake.models[0]}"]\n'
    )
    for args in (["up"], ["up", "--json"]):
        result = run(*args)
        assert "url-pass-000111" not in result.output
        assert "me:***@" in result.output
