"""The three agent CLIs, each configured exactly as the README's client sections say.

An `Agent` knows its pinned package, how a user points it at dragoman (environment and
config files in its HOME), how it presents its key, and the call its model makes to
read a file with the agent's own tool (as captured from the real clients in
shared/fixtures/client-requests/).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

from tests.clients.install import Package
from tests.fakes import Call

CLAUDE_CODE = Package(
    "claude-code", "@anthropic-ai/claude-code@2.1.329", "2.1.329", "claude", flags=("--engine-strict=false",)
)
CODEX = Package("codex", "@openai/codex@0.169.0", "0.169.0", "codex")
GEMINI_CLI = Package("gemini-cli", "@google/gemini-cli@0.61.0", "0.61.0", "gemini")

# Claude Code: no telemetry, update checks, error reports or reachability probes, and
# one retry instead of ten (a dead gateway would otherwise hold a run for minutes).
CLAUDE_QUIET = {
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_AUTOUPDATER": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "CLAUDE_CODE_MAX_RETRIES": "1",
}

# Gemini CLI: API-key auth, no telemetry or usage statistics (Clearcut), no update
# checks, and two attempts without retrying connection failures.
GEMINI_SETTINGS = {
    "security": {"auth": {"selectedType": "gemini-api-key"}},
    "telemetry": {"enabled": False},
    "privacy": {"usageStatisticsEnabled": False},
    "general": {
        "disableAutoUpdate": True,
        "disableUpdateNag": True,
        "maxAttempts": 2,
        "retryFetchErrors": False,
    },
}


@dataclass(frozen=True, slots=True)
class Setup:
    """One run's configuration: where the agent lives and what it is pointed at."""

    executable: Path
    home: Path
    workdir: Path
    root_url: str  # dragoman's root, e.g. http://127.0.0.1:4800
    key: str
    model: str
    key_variable: str | None = None  # None: the agent's usual one
    options: tuple[str, ...] = ()  # more command-line options, before the prompt


Command = tuple[list[str], dict[str, str]]


@dataclass(frozen=True, slots=True)
class Agent:
    name: str
    package: Package
    dialect: str  # the wire format it speaks
    key_header: str  # how it sends the key
    configure: Callable[[Setup, str], Command]  # (setup, prompt) -> (argv, environment)
    read_call: Callable[[Path], Call]  # the model's call to read `file` with the agent's tool


def claude_code(setup: Setup, prompt: str) -> Command:
    env = {
        "ANTHROPIC_BASE_URL": setup.root_url,
        setup.key_variable or "ANTHROPIC_API_KEY": setup.key,
        "ANTHROPIC_MODEL": setup.model,
        **CLAUDE_QUIET,
    }
    return [str(setup.executable), *setup.options, "-p", prompt], env


def codex_config(base_url: str, model: str) -> str:
    """~/.codex/config.toml; `base_url` is dragoman's root followed by /v1."""
    return f"""\
model = "{model}"
model_provider = "dragoman"
check_for_update_on_startup = false

[analytics]
enabled = false

[features]
plugins = false
unbounded_connection_retries = false

[model_providers.dragoman]
name = "dragoman"
base_url = "{base_url}"
env_key = "DRAGOMAN_API_KEY"      # the variable holding your dragoman key
wire_api = "responses"
request_max_retries = 1
stream_max_retries = 1
"""


def codex(setup: Setup, prompt: str) -> Command:
    folder = setup.home / ".codex"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(codex_config(setup.root_url + "/v1", setup.model))
    argv = [str(setup.executable), "exec", *setup.options, "--skip-git-repo-check", prompt]
    return argv, {setup.key_variable or "DRAGOMAN_API_KEY": setup.key}


def gemini_settings() -> str:
    return orjson.dumps(GEMINI_SETTINGS).decode()


def gemini_cli(setup: Setup, prompt: str) -> Command:
    folder = setup.home / ".gemini"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.json").write_text(gemini_settings())
    env = {
        "GOOGLE_GEMINI_BASE_URL": setup.root_url,
        setup.key_variable or "GEMINI_API_KEY": setup.key,
        # A folder Gemini CLI has never seen is untrusted: headless runs refuse to start there.
        "GEMINI_CLI_TRUST_WORKSPACE": "true",
    }
    return [str(setup.executable), *setup.options, "-m", setup.model, "-p", prompt], env


AGENTS: dict[str, Agent] = {
    "claude-code": Agent(
        "claude-code",
        CLAUDE_CODE,
        "anthropic",
        "x-api-key",
        claude_code,
        lambda file: Call("Read", {"file_path": str(file)}),
    ),
    "codex": Agent(
        "codex",
        CODEX,
        "openai_responses",
        "authorization",
        codex,
        lambda file: Call("exec_command", {"cmd": f"cat {file.name}"}),
    ),
    "gemini-cli": Agent(
        "gemini-cli",
        GEMINI_CLI,
        "gemini",
        "x-goog-api-key",
        gemini_cli,
        lambda file: Call("read_file", {"file_path": str(file)}),
    ),
}

PACKAGES = [agent.package for agent in AGENTS.values()]
