"""Reading and writing the clients' config formats: JSON, TOML and `.env` files.

A file that does not parse is never overwritten: the user's own text may be in it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
import orjson

from dragoman.config.toml_text import to_toml

FIX = "fix it, or move it away, and run again"
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_\-./:@+=]*")


class Unreadable(click.ClickException):
    """A client's config file that dragoman cannot parse, so will not touch."""


def read_json(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not text.strip():
        return {}
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise Unreadable(f"{path} is not valid JSON ({error}): {FIX}") from None
    if not isinstance(data, dict):
        raise Unreadable(f"{path} holds no JSON object: {FIX}")
    return data


def json_text(data: Mapping[str, Any]) -> str:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"


def read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise Unreadable(f"{path} is not valid TOML ({error}): {FIX}") from None


def toml_text(data: Mapping[str, Any]) -> str:
    return to_toml(data)


def merged(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `overlay` laid over it, table by table; None in `overlay` removes a key."""
    result = dict(base)
    for key, value in overlay.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, Mapping):
            current = result.get(key)
            result[key] = merged(current if isinstance(current, Mapping) else {}, value)
        else:
            result[key] = value
    return result


def env_text(old: str, values: Mapping[str, str | None]) -> str:
    """An `.env` file's text with `values` set (None: removed), other lines kept as they are."""
    lines = []
    for line in old.splitlines():
        name = line.removeprefix("export ").split("=", 1)[0].strip()
        if name not in values:
            lines.append(line)
    lines += [f"{name}={_env_value(value)}" for name, value in values.items() if value is not None]
    return "\n".join(lines) + "\n"


def env_values(text: str) -> dict[str, str]:
    """NAME=VALUE pairs of an `.env` file's text (quotes taken off)."""
    found = {}
    for line in text.splitlines():
        name, equals, value = line.removeprefix("export ").partition("=")
        if equals and not name.lstrip().startswith("#"):
            found[name.strip()] = value.strip().strip('"')
    return found


def _env_value(value: str) -> str:
    if _PLAIN_VALUE.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
