"""Codex: a `[model_providers.dragoman]` entry in config.toml (CODEX_HOME, else ~/.codex).

The key is the provider's bearer token, so Codex needs no variable set. Comments in
an existing config.toml are not kept (the file is rewritten from its parsed values);
the backup keeps them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dragoman.cli.setup.client import Client, Environ, Pointing, folder
from dragoman.cli.setup.files import FileChange
from dragoman.cli.setup.formats import merged, read_toml, toml_text
from dragoman.cli.setup.target import Target

PROVIDER = "dragoman"
# The provider's display name. Codex compacts remotely (a compaction_trigger, which
# dragoman answers for every upstream: server/responses/compaction.py) only for a provider
# named "OpenAI"; under any other name it summarises in an ordinary turn of its own.
DISPLAY_NAME = "OpenAI"
# No update checks, analytics or plugin sync (each a lookup of a vendor host), and
# connection failures end the turn instead of reconnecting forever.
QUIET: dict[str, Any] = {
    "check_for_update_on_startup": False,
    "analytics": {"enabled": False},
    "features": {"plugins": False, "unbounded_connection_retries": False},
}


def config_path(environ: Environ) -> Path:
    return folder(environ, "CODEX_HOME", ".codex") / "config.toml"


def provider(target: Target) -> dict[str, Any]:
    return {
        "name": DISPLAY_NAME,
        "base_url": target.root_url + "/v1",
        "experimental_bearer_token": target.key,
        "wire_api": "responses",  # the only one Codex speaks now
        "request_max_retries": 1,
        "stream_max_retries": 1,
    }


def settings(target: Target) -> dict[str, Any]:
    """What setup sets in config.toml; `model_context_window` is removed when unknown."""
    chosen: dict[str, Any] = {"model": target.model} if target.model else {}
    if target.model:
        chosen["model_context_window"] = target.context_window
    return {
        **chosen,
        "model_provider": PROVIDER,
        **QUIET,
        "model_providers": {PROVIDER: provider(target)},
    }


def plan(target: Target, environ: Environ) -> list[FileChange]:
    path = config_path(environ)
    current = read_toml(path)
    # The provider entry is dragoman's own: replaced whole, never merged with an old one.
    current.get("model_providers", {}).pop(PROVIDER, None)
    return [FileChange(path, toml_text(merged(current, settings(target))))]


def paths(environ: Environ) -> list[Path]:
    return [config_path(environ)]


def usage(target: Target) -> str:
    return 'codex exec --skip-git-repo-check "Reply with OK"   # or `codex` for the interactive session'


def pointing(environ: Environ) -> Pointing:
    config = read_toml(config_path(environ))
    chosen = config.get("model_providers", {}).get(config.get("model_provider", ""), {})
    url = chosen.get("base_url")
    return Pointing(url.removesuffix("/v1") if isinstance(url, str) else None, config.get("model"))


CLIENT = Client("codex", plan, paths, usage, pointing)
