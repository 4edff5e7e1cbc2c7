"""Gemini CLI: settings.json and `.env` in .gemini (under GEMINI_CLI_HOME, else HOME).

Gemini CLI reads its base URL and key only from the environment; it loads
`~/.gemini/.env` in a trusted folder that has no `.env` of its own nearer, so setup
writes them there and says to export them where that does not apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dragoman.cli.setup.client import Client, Environ, Pointing, folder
from dragoman.cli.setup.files import FileChange
from dragoman.cli.setup.formats import env_text, env_values, json_text, merged, read_json
from dragoman.cli.setup.target import Target

# API-key auth, no telemetry or usage statistics (Clearcut), no update checks, and two
# attempts without retrying connection failures.
QUIET: dict[str, Any] = {
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


def gemini_folder(environ: Environ) -> Path:
    return folder(environ, "GEMINI_CLI_HOME", "") / ".gemini"


def settings(target: Target) -> dict[str, Any]:
    # A model named here also skips the router's extra request to gemini-3.5-flash-lite.
    return merged(QUIET, {"model": {"name": target.model}}) if target.model else QUIET


def variables(target: Target) -> dict[str, str | None]:
    return {"GOOGLE_GEMINI_BASE_URL": target.root_url, "GEMINI_API_KEY": target.key}


def plan(target: Target, environ: Environ) -> list[FileChange]:
    settings_file, env_file = paths(environ)
    old_env = env_file.read_text(encoding="utf-8") if env_file.exists() else ""
    return [
        FileChange(settings_file, json_text(merged(read_json(settings_file), settings(target)))),
        FileChange(env_file, env_text(old_env, variables(target))),
    ]


def paths(environ: Environ) -> list[Path]:
    return [gemini_folder(environ) / "settings.json", gemini_folder(environ) / ".env"]


def usage(target: Target) -> str:
    return (
        'gemini -p "Reply with OK"     # or `gemini` for the interactive session\n'
        "# Outside a trusted folder, or where a nearer .env hides ~/.gemini/.env, export "
        f"GOOGLE_GEMINI_BASE_URL={target.root_url} and GEMINI_API_KEY yourself."
    )


def pointing(environ: Environ) -> Pointing:
    settings_file, env_file = paths(environ)
    values = env_values(env_file.read_text(encoding="utf-8")) if env_file.exists() else {}
    model = (read_json(settings_file).get("model") or {}).get("name")
    return Pointing(values.get("GOOGLE_GEMINI_BASE_URL"), model)


CLIENT = Client("gemini-cli", plan, paths, usage, pointing)
