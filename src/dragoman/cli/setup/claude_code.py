"""Claude Code: the `env` block of settings.json (in CLAUDE_CONFIG_DIR, else ~/.claude).

The key goes in ANTHROPIC_AUTH_TOKEN (sent as `Authorization: Bearer`): unlike
ANTHROPIC_API_KEY, Claude Code does not stop to ask whether to trust it.
"""

from __future__ import annotations

from pathlib import Path

from dragoman.cli.setup.client import Client, Environ, Pointing, folder
from dragoman.cli.setup.files import FileChange
from dragoman.cli.setup.formats import json_text, merged, read_json
from dragoman.cli.setup.target import Target

# No telemetry, update checks, error reports or reachability probes, and one retry
# instead of ten: dragoman does the failing over, and a dead gateway should show at once.
QUIET = {
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_AUTOUPDATER": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "CLAUDE_CODE_MAX_RETRIES": "1",
}
# Claude Code asks for at most this many output tokens, whatever the variable says.
OUTPUT_CAP = 128_000
# What setup manages in the env block: anything of these it does not set is removed
# (a key given as ANTHROPIC_API_KEY too would be sent twice, in two headers).
MANAGED = (
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    "CLAUDE_CODE_MAX_CONTEXT_TOKENS",
    "CLAUDE_CODE_MAX_OUTPUT_TOKENS",
)


def settings_path(environ: Environ) -> Path:
    return folder(environ, "CLAUDE_CONFIG_DIR", ".claude") / "settings.json"


def environment(target: Target) -> dict[str, str | None]:
    """The env block's managed variables (None: removed)."""
    values: dict[str, str | None] = dict.fromkeys(MANAGED)
    values |= {"ANTHROPIC_BASE_URL": target.root_url, "ANTHROPIC_AUTH_TOKEN": target.key, **QUIET}
    if target.model:
        # The small model (titles, summaries) too: a Haiku id dragoman may not serve.
        values |= {"ANTHROPIC_MODEL": target.model, "ANTHROPIC_DEFAULT_HAIKU_MODEL": target.model}
    if target.context_window:
        values["CLAUDE_CODE_MAX_CONTEXT_TOKENS"] = str(target.context_window)
    if target.max_output_tokens:
        values["CLAUDE_CODE_MAX_OUTPUT_TOKENS"] = str(min(target.max_output_tokens, OUTPUT_CAP))
    return values


def plan(target: Target, environ: Environ) -> list[FileChange]:
    path = settings_path(environ)
    settings = read_json(path)
    return [FileChange(path, json_text(merged(settings, {"env": environment(target)})))]


def paths(environ: Environ) -> list[Path]:
    return [settings_path(environ)]


def usage(target: Target) -> str:
    return 'claude -p "Reply with OK"     # or `claude` for the interactive session'


def pointing(environ: Environ) -> Pointing:
    env = read_json(settings_path(environ)).get("env") or {}
    return Pointing(env.get("ANTHROPIC_BASE_URL"), env.get("ANTHROPIC_MODEL"))


CLIENT = Client("claude-code", plan, paths, usage, pointing)
