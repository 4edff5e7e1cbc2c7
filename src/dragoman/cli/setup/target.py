"""What a client is pointed at: dragoman's URL, the key it presents, the model and
that model's limits, found from dragoman's own configuration and model data."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import click

from dragoman.config import Settings
from dragoman.ir.errors import ModelNotFound
from dragoman.ir.models import ModelInfo
from dragoman.routing.catalog import load_catalog

# A loopback dragoman without keys accepts any key: the clients still want one.
ANY_KEY = "dragoman"
# What --print shows for a named key it would make.
NEW_KEY = "<new key>"
WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1"}


@dataclass(frozen=True, slots=True)
class Target:
    root_url: str  # dragoman's root, e.g. http://127.0.0.1:4800 (no /v1)
    key: str
    model: str | None = None  # None: the client keeps its own default
    context_window: int | None = None
    max_output_tokens: int | None = None


def root_url(settings: Settings, url: str | None) -> str:
    """`--url`, or the first address dragoman listens on (loopback preferred)."""
    if url:
        return url.rstrip("/")
    binds = sorted(settings.bind, key=lambda bind: not bind.is_loopback)
    bind = binds[0]
    host = WILDCARDS.get(bind.host)
    if host is None:
        return bind.url
    return f"http://[{host}]:{bind.port}" if ":" in host else f"http://{host}:{bind.port}"


def key_for(settings: Settings, name: str | None, value: str | None, *, writes: bool = True) -> str:
    """The key the client presents: `--key-value`; the key `--key` names: a config key
    (key1, key2, ... in order, as traces name them) or a named key made for this client
    (`dragoman keys`; `writes` False, for --print, makes none); else key1."""
    if value is not None:
        if not value.strip():
            raise click.UsageError("--key-value is empty: give the key itself")
        return value
    secrets = [key.get_secret_value() for key in settings.api_keys]
    if name is not None:
        return _named(settings, secrets, name, writes)
    if secrets:
        return secrets[0]
    if all(bind.is_loopback for bind in settings.bind):
        return ANY_KEY
    raise click.UsageError("dragoman listens beyond loopback with no key configured: give --key-value")


def _named(settings: Settings, secrets: list[str], name: str, writes: bool) -> str:
    names = {f"key{number}": secret for number, secret in enumerate(secrets, start=1)}
    if name in names:
        return names[name]
    if not writes:
        return NEW_KEY
    return _made(settings, name)


def _made(settings: Settings, name: str) -> str:
    """A new named key for the client, through the running gateway or the home folder.
    An existing one cannot be reused: only its hash is kept."""
    from dragoman.cli.admin_client import AdminProblem
    from dragoman.cli.key_admin import key_admin

    async def make() -> str:
        async with key_admin(settings, writes=True) as keys:
            made = await keys.create(name, {})
        return str(made["secret"])

    try:
        return asyncio.run(make())
    except AdminProblem as problem:
        raise click.UsageError(
            f"cannot make the key {name!r}: {problem}. A key's secret is shown only when it is made: "
            f"`dragoman keys rotate {name}` prints a new one to give with --key-value, or pick a new name"
        ) from None


def model_info(settings: Settings, model: str) -> ModelInfo:
    """What dragoman knows of `model` (an id, an alias or provider/model), or a usage
    error listing what it serves."""
    registry = asyncio.run(load_catalog(settings)).registry()
    entries = {entry.id: entry.info for entry in registry.entries()}
    if model in entries:
        return entries[model]
    try:
        route = registry.resolve(model)[0]
    except ModelNotFound as error:
        raise click.UsageError(str(error)) from None
    return entries.get(route.model, ModelInfo(route.model))


def target(settings: Settings, url: str | None, key: str, model: str | None) -> Target:
    if model is None:
        return Target(root_url(settings, url), key)
    info = model_info(settings, model)
    return Target(root_url(settings, url), key, model, info.context_window, info.max_output_tokens)
