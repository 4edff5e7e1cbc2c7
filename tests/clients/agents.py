"""The agent CLIs, each configured by `dragoman setup` as a user would do it: the three
in `AGENTS` run through every test of tests/clients, OpenCode and Kilo (`OPENCODE_FAMILY`,
one program and its fork) through their own (test_opencode_kilo.py).

An `Agent` knows its pinned package, how it is run once `dragoman setup` has written
its config files into the run's HOME, how it presents its key, and the call its model
makes to read a file with the agent's own tool (as captured from the real clients in
shared/fixtures/client-requests/).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.clients.install import Package
from tests.fakes import Call

CLAUDE_CODE = Package(
    "claude-code", "@anthropic-ai/claude-code@2.1.329", "2.1.329", "claude", flags=("--engine-strict=false",)
)
CODEX = Package("codex", "@openai/codex@0.169.0", "0.169.0", "codex")
GEMINI_CLI = Package("gemini-cli", "@google/gemini-cli@0.61.0", "0.61.0", "gemini")
OPENCODE = Package("opencode", "opencode-ai@1.18.33", "1.18.33", "opencode")
# 7.7.9 is not on the registry, and 7.8.1 names platform binaries it never published.
KILO = Package("kilo", "@kilocode/cli@7.7.7", "7.7.7", "kilo")


@dataclass(frozen=True, slots=True)
class Setup:
    """One run's configuration: where the agent lives and what it is pointed at."""

    executable: Path
    home: Path
    workdir: Path
    root_url: str  # dragoman's root as the agent reaches it, e.g. http://127.0.0.1:4800
    key: str
    model: str
    dragoman_config: Path  # the config.toml `dragoman serve` runs with (its models' limits)
    options: tuple[str, ...] = ()  # more command-line options, before the prompt


Command = tuple[list[str], dict[str, str]]


@dataclass(frozen=True, slots=True)
class Agent:
    name: str
    package: Package
    dialect: str  # the wire format it speaks
    key_header: str  # how it sends the key
    command: Callable[[Setup, str], Command]  # (setup, prompt) -> (argv, environment) once set up
    read_call: Callable[[Path], Call]  # the model's call to read `file` with the agent's tool
    # Attempts to leave the machine that no setting stops (the recording proxy's lines);
    # any other attempt fails the run.
    may_reach: frozenset[str] = frozenset()


def configure(agent: Agent, setup: Setup, prompt: str) -> Command:
    """`dragoman setup` for the agent in the run's HOME, then the agent's command line,
    with the variables setup told the user to export."""
    printed = dragoman_setup(agent.name, setup)
    argv, env = agent.command(setup, prompt)
    return argv, {**exports(printed), **env}


def exports(printed: str) -> dict[str, str]:
    """The `export NAME=VALUE` lines of what setup printed, as a user would run them."""
    return dict(re.findall(r"^export (\w+)=(\S+)", printed, re.MULTILINE))


def dragoman_setup(client: str, setup: Setup) -> str:
    """`dragoman setup CLIENT` run as the user in the run's HOME; what it printed."""
    command = [sys.executable, "-m", "dragoman", "setup", client, "--model", setup.model]
    command += ["--url", setup.root_url, "--key-value", setup.key, "--config", str(setup.dragoman_config)]
    command += ["--home", str(setup.dragoman_config.parent / "home")]
    env = {"HOME": str(setup.home), "PATH": os.environ["PATH"], "LANG": "C.UTF-8"}
    if "PYTHONPATH" in os.environ:  # a source checkout run with PYTHONPATH=src
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        raise AssertionError(f"`dragoman setup {client}` failed (rc={result.returncode}):\n{result.stderr}")
    return result.stdout


def claude_code(setup: Setup, prompt: str) -> Command:
    return [str(setup.executable), *setup.options, "-p", prompt], {}


def codex(setup: Setup, prompt: str) -> Command:
    return [str(setup.executable), "exec", *setup.options, "--skip-git-repo-check", prompt], {}


def gemini_cli(setup: Setup, prompt: str) -> Command:
    # A folder Gemini CLI has never seen is untrusted: headless runs refuse to start
    # there, and it reads ~/.gemini/.env (where setup puts the URL and key) only in a
    # trusted one.
    env = {"GEMINI_CLI_TRUST_WORKSPACE": "true"}
    return [str(setup.executable), *setup.options, "-p", prompt], env


def opencode_run(setup: Setup, prompt: str) -> Command:
    # A title given spares the request that would ask the model for one, so that each
    # scripted reply answers the prompt itself.
    return [str(setup.executable), "run", "--title", "test", *setup.options, prompt], {}


AGENTS: dict[str, Agent] = {
    "claude-code": Agent(
        "claude-code",
        CLAUDE_CODE,
        "anthropic",
        "authorization",
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

# Both speak Chat Completions through the AI SDK's openai-compatible adapter setup names.
OPENCODE_FAMILY: dict[str, Agent] = {
    package.name: Agent(
        package.name,
        package,
        "openai_chat",
        "authorization",
        opencode_run,
        lambda file: Call("read", {"filePath": str(file)}),
        # At every start, whatever the settings, a background `npm install` of the plugin
        # SDK into the config folder; it fails harmlessly offline.
        frozenset({"CONNECT registry.npmjs.org:443 HTTP/1.1"}),
    )
    for package in (OPENCODE, KILO)
}

PACKAGES = [agent.package for agent in (*AGENTS.values(), *OPENCODE_FAMILY.values())]
