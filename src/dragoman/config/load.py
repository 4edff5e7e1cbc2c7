"""Reading the configuration: file, environment and flags merged, then validated.

Environment variables: `DRAGOMAN_HOME`, `DRAGOMAN_CONFIG`, and `DRAGOMAN_<KEY>` for
any top-level key (`DRAGOMAN_BIND=127.0.0.1:4800,[::1]:4800`, `DRAGOMAN_LOG_LEVEL`);
`DRAGOMAN_API_KEY` (or `_API_KEYS`) takes a comma-separated list. Nested keys use a
double underscore: `DRAGOMAN_PROVIDERS__OPENAI__API_KEY=...`. Values that read as JSON
(numbers, booleans, lists) are taken as such.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from dragoman.config.schema import Settings
from dragoman.config.sources import Layer, Loc, describe

_PREFIX = "DRAGOMAN_"
_NOT_KEYS = {"HOME", "CONFIG", "SECRET_KEY"}  # SECRET_KEY: read by store.keyring alone
_LIST_KEYS = {"API_KEY": "api_keys", "API_KEYS": "api_keys"}


class ConfigError(Exception):
    """A configuration problem, stated for a person: which key, which file, what is wrong."""


def home_dir(flag: str | Path | None = None, environ: Mapping[str, str] = os.environ) -> Path:
    """The home folder: `--home`, else `DRAGOMAN_HOME`, else `~/.dragoman`."""
    chosen = flag or environ.get("DRAGOMAN_HOME") or "~/.dragoman"
    return Path(chosen).expanduser()


def config_path(
    flag: str | Path | None = None, home: Path | None = None, environ: Mapping[str, str] = os.environ
) -> Path:
    """The config file: `--config`, else `DRAGOMAN_CONFIG`, else `<home>/config.toml`."""
    chosen = flag or environ.get("DRAGOMAN_CONFIG")
    if chosen:
        return Path(chosen).expanduser()
    return (home or home_dir(environ=environ)) / "config.toml"


def load(
    *,
    home: str | Path | None = None,
    config: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    flags: Mapping[str, str] | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Settings:
    """Settings from defaults < file < environment < `overrides` (command-line flags).
    `flags` names the flag each override came from, for errors."""
    home_path = home_dir(home, environ)
    path = config_path(config, home_path, environ)
    explicit = bool(config or environ.get("DRAGOMAN_CONFIG"))
    layers = [
        _flag_layer(overrides or {}, flags or {}),
        _environ_layer(environ),
        Layer(_read_file(path, required=explicit), file=str(path)),
    ]
    data: dict[str, Any] = {}
    for layer in reversed(layers):
        _deep_merge(data, layer.data)
    data["home"] = home_path
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(describe(error, layers)) from None


def _read_file(path: Path, *, required: bool) -> dict[str, Any]:
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: no such configuration file")
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None


def _flag_layer(overrides: Mapping[str, Any], flags: Mapping[str, str]) -> Layer:
    given = {key: value for key, value in overrides.items() if value is not None}
    # An override without a flag's name (set in code) is named by its key.
    names: dict[Loc, str] = {(key,): flags[key] for key in given if key in flags}
    return Layer(given, names)


def _environ_layer(environ: Mapping[str, str]) -> Layer:
    data: dict[str, Any] = {}
    names: dict[Loc, str] = {}
    for name, raw in environ.items():
        if not name.startswith(_PREFIX) or name[len(_PREFIX) :] in _NOT_KEYS:
            continue
        key = name[len(_PREFIX) :]
        path = [_LIST_KEYS[key]] if key in _LIST_KEYS else [part.lower() for part in key.split("__")]
        # Blank entries are kept, so that `DRAGOMAN_API_KEY=""` is refused as an empty key.
        value = [part.strip() for part in raw.split(",")] if key in _LIST_KEYS else _env_value(raw)
        _set_path(data, path, value)
        names[tuple(path)] = name
    return Layer(data, names)


def _env_value(raw: str) -> Any:
    if raw[:1] in "[{0123456789-" or raw in ("true", "false"):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return raw
    return raw


def _set_path(data: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        if not isinstance(data.get(part), dict):
            data[part] = {}
        data = data[part]
    data[path[-1]] = value


def _deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> None:
    """`top` merged into `base`, tables copied: each layer keeps only its own values."""
    for key, value in top.items():
        if isinstance(value, Mapping):
            if not isinstance(base.get(key), dict):
                base[key] = {}
            _deep_merge(base[key], value)
        else:
            base[key] = value
