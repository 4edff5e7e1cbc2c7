"""OpenCode and Kilo (a fork of it): a `dragoman` provider entry in their JSON config.

OpenCode reads `$XDG_CONFIG_HOME/opencode/opencode.json`, Kilo `$XDG_CONFIG_HOME/kilo/kilo.json`
(XDG_CONFIG_HOME defaults to ~/.config). The provider speaks OpenAI Chat Completions
through the AI SDK's openai-compatible adapter, with the model's limits.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from dragoman.cli.setup.client import Client, Environ, Pointing, folder
from dragoman.cli.setup.files import FileChange
from dragoman.cli.setup.formats import json_text, merged, read_json
from dragoman.cli.setup.target import Target

PROVIDER = "dragoman"
SCHEMA = {"opencode": "https://opencode.ai/config.json", "kilo": "https://app.kilo.ai/config.json"}
# No update checks and no sharing of sessions to the vendor's servers.
QUIET = {"autoupdate": False, "share": "disabled"}
# What they read from the environment only: no download of the models.dev catalogue at
# each start (the provider entry names the model and its limits), and Kilo's telemetry.
ENVIRONMENT = {
    "opencode": {"OPENCODE_DISABLE_MODELS_FETCH": "1"},
    "kilo": {"KILO_DISABLE_MODELS_FETCH": "1", "KILO_TELEMETRY_LEVEL": "off"},
}
# Providers of the vendor's own that ask its servers for their models at each start:
# Kilo's gateway (api.kilo.ai). Added to the user's `disabled_providers`, never replacing it.
VENDOR_PROVIDERS = {"opencode": [], "kilo": ["kilo"]}


def config_path(app: str, environ: Environ) -> Path:
    return folder(environ, "XDG_CONFIG_HOME", ".config") / app / f"{app}.json"


def provider(target: Target) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "npm": "@ai-sdk/openai-compatible",
        "name": PROVIDER,
        "options": {"baseURL": target.root_url + "/v1", "apiKey": target.key},
    }
    if target.model:
        entry["models"] = {target.model: _model(target)}
    return entry


def _model(target: Target) -> dict[str, Any]:
    limits = {"context": target.context_window, "output": target.max_output_tokens}
    if not all(limits.values()):
        return {"name": target.model}  # both or none: the schema requires both
    return {"name": target.model, "limit": limits}


def settings(app: str, target: Target) -> dict[str, Any]:
    chosen = {"model": f"{PROVIDER}/{target.model}", "small_model": f"{PROVIDER}/{target.model}"}
    return {"$schema": SCHEMA[app], **(chosen if target.model else {}), **QUIET}


def plan(app: str, target: Target, environ: Environ) -> list[FileChange]:
    path = config_path(app, environ)
    config = read_json(path)
    # The provider entry is dragoman's own: replaced whole, so an old model leaves with it.
    providers = {**config.get("provider", {}), PROVIDER: provider(target)}
    config = merged(config, settings(app, target)) | {"provider": providers}
    disabled = [*config.get("disabled_providers", [])]
    disabled += [name for name in VENDOR_PROVIDERS[app] if name not in disabled]
    if disabled:
        config["disabled_providers"] = disabled
    return [FileChange(path, json_text(config))]


def paths(app: str, environ: Environ) -> list[Path]:
    return [config_path(app, environ)]


def usage(app: str, target: Target) -> str:
    run = f'{app} run "Reply with OK"     # or `{app}` for the interactive session'
    return "".join(f"export {name}={value}\n" for name, value in ENVIRONMENT[app].items()) + run


def pointing(app: str, environ: Environ) -> Pointing:
    config = read_json(config_path(app, environ))
    entry = (config.get("provider") or {}).get(PROVIDER) or {}
    url = (entry.get("options") or {}).get("baseURL")
    model = config.get("model")
    return Pointing(
        url.removesuffix("/v1") if isinstance(url, str) else None,
        model.removeprefix(f"{PROVIDER}/") if isinstance(model, str) else None,
    )


def client(app: str) -> Client:
    return Client(app, partial(plan, app), partial(paths, app), partial(usage, app), partial(pointing, app))


OPENCODE = client("opencode")
KILO = client("kilo")
