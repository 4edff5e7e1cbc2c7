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

_PREFIX = "DRAGOMAN_"
_NOT_KEYS = {"HOME", "CONFIG"}
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
    environ: Mapping[str, str] = os.environ,
) -> Settings:
    """Settings from defaults < file < environment < `overrides` (command-line flags)."""
    home_path = home_dir(home, environ)
    path = config_path(config, home_path, environ)
    explicit = bool(config or environ.get("DRAGOMAN_CONFIG"))
    data = _read_file(path, required=explicit)
    _deep_merge(data, _from_environ(environ))
    _deep_merge(data, {key: value for key, value in (overrides or {}).items() if value is not None})
    data["home"] = home_path
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe(error, path)) from None


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


def _from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(_PREFIX) or name[len(_PREFIX) :] in _NOT_KEYS:
            continue
        key = name[len(_PREFIX) :]
        if key in _LIST_KEYS:
            data[_LIST_KEYS[key]] = [part.strip() for part in raw.split(",") if part.strip()]
            continue
        path = [part.lower() for part in key.split("__")]
        _set_path(data, path, _env_value(raw))
    return data


def _env_value(raw: str) -> Any:
    if raw[:1] in "[{0123456789-" or raw in ("true", "false"):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return raw
    return raw


def _set_path(data: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {})
    data[path[-1]] = value


def _deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> None:
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value


def _describe(error: ValidationError, path: Path) -> str:
    lines = [f"{path}: invalid configuration"]
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        if problem["type"] == "extra_forbidden":
            lines.append(f"  {key}: unknown key")
        else:
            lines.append(f"  {key}: {problem['msg']}")
    return "\n".join(lines)
