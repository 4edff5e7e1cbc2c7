"""What setup points a client at: the model's real limits, the key chosen by name or
given, the URL from `bind` or `--url`, and clear errors for what cannot be served."""

from __future__ import annotations

import tomllib
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from dragoman.cli import cli
from dragoman.cli.setup.target import ANY_KEY
from tests.cli.setup.conftest import MODEL, UNKNOWN_LIMITS, limits, setup
from tests.secret_scan.registry import register


def claude_env(user: Path) -> dict[str, str]:
    return orjson.loads((user / ".claude" / "settings.json").read_bytes())["env"]


def codex_config(user: Path) -> dict[str, object]:
    return tomllib.loads((user / ".codex" / "config.toml").read_text())


def test_the_models_limits_reach_each_client_that_takes_them(user: Path) -> None:
    context, output = limits(MODEL)
    for client in ("claude-code", "codex", "opencode"):
        setup(client, "--model", MODEL)
    env = claude_env(user)
    assert env["CLAUDE_CODE_MAX_CONTEXT_TOKENS"] == str(context)
    assert env["CLAUDE_CODE_MAX_OUTPUT_TOKENS"] == str(min(output, 128_000))
    assert codex_config(user)["model_context_window"] == context
    opencode = orjson.loads((user / ".config" / "opencode" / "opencode.json").read_bytes())
    model = opencode["provider"]["dragoman"]["models"][MODEL]
    assert model["limit"] == {"context": context, "output": output}


def test_a_model_without_known_limits_takes_the_old_limits_away(user: Path) -> None:
    setup("claude-code", "--model", MODEL)
    setup("codex", "--model", MODEL)
    setup("claude-code", "--model", UNKNOWN_LIMITS)
    setup("codex", "--model", UNKNOWN_LIMITS)
    env = claude_env(user)
    assert env["ANTHROPIC_MODEL"] == UNKNOWN_LIMITS and "CLAUDE_CODE_MAX_CONTEXT_TOKENS" not in env
    assert codex_config(user)["model"] == UNKNOWN_LIMITS and "model_context_window" not in codex_config(user)


def test_a_model_dragoman_does_not_serve_is_refused_naming_those_it_does(user: Path) -> None:
    result = setup("codex", "--model", "no-such-model", exit_code=2)
    assert "'no-such-model' is not served" in result.output and MODEL in result.output
    assert not (user / ".codex").exists()


@pytest.mark.parametrize(
    ("options", "key"),
    [((), "first-key"), (("--key", "key2"), "second-key"), (("--key-value", "given-key"), "given-key")],
)
def test_the_key_is_the_first_of_the_config_or_the_one_named_or_given(
    user: Path, options: tuple[str, ...], key: str
) -> None:
    setup("claude-code", *options)
    assert claude_env(user)["ANTHROPIC_AUTH_TOKEN"] == key


def test_a_new_key_name_makes_a_named_key_for_the_client(user: Path) -> None:
    setup("claude-code", "--key", "alice")
    secret = claude_env(user)["ANTHROPIC_AUTH_TOKEN"]
    register(secret, "a named key setup wrote into a client's config")
    [made] = orjson.loads(CliRunner().invoke(cli, ["keys", "list", "--json"]).output)["keys"]
    assert (
        made["name"] == "alice"
        and secret.startswith("dgm_")
        and secret.startswith(made["prefix"].rstrip("…"))
    )


def test_an_existing_named_key_is_not_reused_and_the_refusal_says_what_to_do(user: Path) -> None:
    setup("claude-code", "--key", "alice")
    again = setup("codex", "--key", "alice", exit_code=2)
    assert "cannot make the key 'alice'" in again.output and "dragoman keys rotate alice" in again.output
    assert not (user / ".codex").exists()


def test_print_shows_a_new_named_key_without_making_it(user: Path) -> None:
    shown = setup("claude-code", "--key", "bob", "--print")
    assert "<new key>" in shown.output
    assert orjson.loads(CliRunner().invoke(cli, ["keys", "list", "--json"]).output)["keys"] == []


def test_a_loopback_dragoman_without_keys_gets_a_placeholder(user: Path, dragoman_home: Path) -> None:
    (dragoman_home / "config.toml").write_text("")
    setup("claude-code")
    assert claude_env(user)["ANTHROPIC_AUTH_TOKEN"] == ANY_KEY


def test_beyond_loopback_without_keys_a_key_must_be_given(
    user: Path, dragoman_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (dragoman_home / "config.toml").write_text("")
    monkeypatch.setenv("DRAGOMAN_BIND", "192.0.2.7:4800")
    assert "give --key-value" in setup("claude-code", exit_code=2).output


@pytest.mark.parametrize(
    ("bind", "url"),
    [("0.0.0.0:5000", "http://127.0.0.1:5000"), ("192.0.2.7:80,[::1]:81", "http://[::1]:81")],
)
def test_the_url_is_a_loopback_address_dragoman_listens_on(
    user: Path, monkeypatch: pytest.MonkeyPatch, bind: str, url: str
) -> None:
    monkeypatch.setenv("DRAGOMAN_BIND", bind)
    setup("claude-code")
    assert claude_env(user)["ANTHROPIC_BASE_URL"] == url


def test_url_names_where_the_client_reaches_dragoman(user: Path) -> None:
    setup("codex", "--url", "https://gateway.example/")
    assert codex_config(user)["model_providers"]["dragoman"]["base_url"] == "https://gateway.example/v1"  # type: ignore[index]


@pytest.mark.parametrize("sdk", ["python-sdk", "js-sdk"])
def test_an_sdk_gets_a_snippet_reading_the_key_from_the_environment(user: Path, sdk: str) -> None:
    snippet = setup(sdk, "--model", MODEL, "--print").output
    assert "DRAGOMAN_API_KEY" in snippet and "first-key" not in snippet
    assert '"http://127.0.0.1:4800/v1"' in snippet and f'"{MODEL}"' in snippet
    assert snapshot_is_empty(user)
    assert "no files to undo" in setup(sdk, "--undo", exit_code=2).output


def test_the_python_snippet_is_python(user: Path) -> None:
    compile(setup("python-sdk", "--print").output, "snippet.py", "exec")


def snapshot_is_empty(user: Path) -> bool:
    return not any(user.iterdir())
