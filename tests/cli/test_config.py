from __future__ import annotations

import tomllib
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from dragoman import __version__
from dragoman.cli import cli
from dragoman.config import load


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), terminal_width=120, env=env)
    return result.exit_code, result.output


def test_version() -> None:
    assert run("version") == (0, f"dragoman {__version__}\n")
    _code, output = run("version", "--json")
    assert orjson.loads(output) == {"version": __version__}


def test_config_path_follows_home(dragoman_home: Path) -> None:
    assert run("config", "path") == (0, f"{dragoman_home / 'config.toml'}\n")
    assert run("config", "path", "--home", "/srv/x") == (0, "/srv/x/config.toml\n")


def test_config_show_masks_every_secret(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(
        'api_keys = ["local-secret-0001"]\n'
        '[providers.oai]\nkind = "openai"\napi_key = "sk-proj-abcdef123456"\n'
    )
    code, output = run("config", "show", "--json")
    assert code == 0
    shown = orjson.loads(output)
    assert "local-secret-0001" not in output and "sk-proj-abcdef123456" not in output
    assert shown["api_keys"] == ["loca***0001"]
    assert shown["providers"]["oai"]["api_key"] == "sk-p***3456"
    assert shown["bind"] == ["127.0.0.1:4800"]
    code, text = run("config", "show")
    assert code == 0 and "sk-proj-abcdef123456" not in text and "providers" in text


# Every place the schema lets a secret be written, each with its own secret.
SECRETS = {
    "local key": "local-secret-0001",
    "provider key": "sk-proj-abcdef123456",
    "proxy password": "proxy-pass-0001",
    "provider proxy password": "own-proxy-pass-0002",
    "database password": "db-pass-0001",
    "base_url password": "url-pass-0003",
    "base_url query key": "query-key-0004",
    "authorization header": "Bearer hdr-token-0005",
    "x-api-key header": "hdr-key-0006",
    "api-key header": "hdr-key-0007",
    "cookie header": "session=hdr-cookie-0008",
    "custom token header": "hdr-token-0009",
    "ollama_url password": "ollama-pass-0010",
    "oauth token_url secret": "client-secret-0011",
}
LOCAL_URL = (
    f"https://user:{SECRETS['base_url password']}@llm.example/v1?api_key={SECRETS['base_url query key']}&x=1"
)
SECRET_CONFIG = f"""
api_keys = ["{SECRETS["local key"]}"]
proxy = "http://alice:{SECRETS["proxy password"]}@proxy.example:3128"
database_url = "postgresql+asyncpg://dbuser:{SECRETS["database password"]}@db.example/dragoman"
ollama_url = "http://me:{SECRETS["ollama_url password"]}@127.0.0.1:11434"
[providers.oai]
kind = "openai"
api_key = "{SECRETS["provider key"]}"
proxy = "socks5://bob:{SECRETS["provider proxy password"]}@proxy.example:1080"
[providers.oai.headers]
Authorization = "{SECRETS["authorization header"]}"
x-api-key = "{SECRETS["x-api-key header"]}"
api-key = "{SECRETS["api-key header"]}"
Cookie = "{SECRETS["cookie header"]}"
X-Custom-Token = "{SECRETS["custom token header"]}"
OpenAI-Organization = "org-plain-visible"
[providers.local]
kind = "openai_compatible"
base_url = "{LOCAL_URL}"
models = ["qwen3"]
[models]
aliases = {{ "gpt-5.5" = "qwen3" }}
fallback = "qwen3"
[oauth.codex]
token_url = "https://auth.example/token?client_secret={SECRETS["oauth token_url secret"]}"
"""


def write_secret_config(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "config.toml").write_text(SECRET_CONFIG)


@pytest.mark.parametrize("as_json", [False, True], ids=["toml", "json"])
def test_config_show_masks_every_kind_of_secret(dragoman_home: Path, as_json: bool) -> None:
    write_secret_config(dragoman_home)
    code, output = run("config", "show", *(["--json"] if as_json else []))
    assert code == 0, output
    leaked = [name for name, secret in SECRETS.items() if secret[-8:] in output]
    assert leaked == []
    assert "org-plain-visible" in output and "alice:***@proxy.example:3128" in output
    assert "dbuser:***@db.example/dragoman" in output


def test_a_proxy_from_the_environment_is_masked_too(dragoman_home: Path) -> None:
    code, output = run(
        "config", "show", env={"DRAGOMAN_PROXY": "http://carol:env-pass-0012@proxy.example:3128"}
    )
    assert code == 0 and "env-pass-0012" not in output and "carol:***@proxy.example" in output
    assert tomllib.loads(output)["proxy"] == "http://carol:***@proxy.example:3128"


def test_config_show_prints_toml_that_reads_back_as_the_same_settings(dragoman_home: Path) -> None:
    write_secret_config(dragoman_home)
    code, output = run("config", "show")
    assert code == 0, output
    shown = tomllib.loads(output)
    assert shown["providers"]["local"]["models"] == ["qwen3"]
    assert shown["models"] == {"aliases": {"gpt-5.5": "qwen3"}, "fallback": "qwen3", "fallbacks": {}}
    assert shown["bind"] == ["127.0.0.1:4800"]
    pasted = dragoman_home.parent / "pasted.toml"
    pasted.write_text(output)
    original, again = load(), load(config=pasted)
    context = {"masked": True}
    assert again.model_dump(mode="json", context=context) == original.model_dump(mode="json", context=context)


def test_config_show_prints_markup_like_text_as_it_is(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(
        '[providers."[x]"]\nkind = "openai_compatible"\nbase_url = "http://h/v1"\nmodels = ["[bold]m[/]"]\n'
    )
    code, output = run("config", "show")
    assert code == 0
    assert tomllib.loads(output)["providers"]["[x]"]["models"] == ["[bold]m[/]"]


def test_a_config_error_is_a_message_not_a_traceback(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text("colour = 1\n")
    code, output = run("config", "show")
    assert code == 2
    assert "colour: unknown key" in output
    assert "Traceback" not in output


def test_every_command_has_help() -> None:
    for command in (["serve"], ["config", "show"], ["config", "path"], ["models"], ["version"]):
        code, output = run(*command, "--help")
        assert code == 0 and "Usage:" in output and "--help" in output


def test_models_lists_configured_models_and_aliases(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(
        '[providers.local]\nkind = "openai_compatible"\nbase_url = "http://127.0.0.1:1/v1"\n'
        'models = ["qwen3"]\n[models]\naliases = { "gpt-5" = "qwen3" }\n'
    )
    code, output = run("models", "--json")
    rows = orjson.loads(output)["models"]
    assert code == 0
    assert [(row["id"], row["provider"], row["alias_of"]) for row in rows] == [
        ("qwen3", "local", None),
        ("gpt-5", "local", "qwen3"),
    ]
    code, table = run("models")
    assert "qwen3" in table and "local" in table
    assert orjson.loads(run("models", "--provider", "local", "--json")[1])["models"] == rows


def test_models_with_nothing_configured_says_what_to_do() -> None:
    code, output = run("models")
    assert code == 0 and "No models yet" in output


DATABASE_URL_EXAMPLE = "(e.g. postgresql+asyncpg://user:password@host/dragoman)"
ASYNCPG_URL = "postgresql+asyncpg://dbuser:db-pass-0001@127.0.0.1:1/dragoman"
OPENING_COMMANDS = [
    ["serve", "--bind", "127.0.0.1:1"],
    ["models"],
    ["accounts", "list"],
    ["accounts", "add", "--provider", "openai", "--api-key", "sk-test-0123456789"],
    ["accounts", "remove", "x"],
    ["test", "nosuch"],
    ["status"],
    ["refresh"],
    ["logout", "codex"],
]


@pytest.mark.usefixtures("no_gateway")
@pytest.mark.parametrize("command", OPENING_COMMANDS, ids=" ".join)
def test_a_database_that_cannot_be_reached_is_one_line_and_exit_2(command: list[str]) -> None:
    code, output = run(*command, env={"DRAGOMAN_DATABASE_URL": ASYNCPG_URL})
    assert code == 2, output
    [line] = output.strip().splitlines()[-1:]
    assert "cannot open it: Connect call failed" in line
    assert "Traceback" not in output and "db-pass-0001" not in output


@pytest.mark.usefixtures("no_gateway")
@pytest.mark.parametrize("command", [*OPENING_COMMANDS, ["config", "show"]], ids=" ".join)
@pytest.mark.parametrize("url", ["bogus", "://x"])
def test_a_malformed_database_url_names_its_variable(command: list[str], url: str) -> None:
    code, output = run(*command, env={"DRAGOMAN_DATABASE_URL": url})
    assert code == 2, output
    assert output.strip() == "Error: DRAGOMAN_DATABASE_URL: not a database URL " + DATABASE_URL_EXAMPLE
