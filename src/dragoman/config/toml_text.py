"""Configuration written as TOML text a user can paste into config.toml.

Only what a dumped `Settings` holds: tables, strings, numbers, booleans and lists.
TOML has no null, so a key whose value is None is left out (its default applies).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def to_toml(data: Mapping[str, Any]) -> str:
    """`data` as a TOML document: plain keys first, then one `[table]` per table."""
    lines: list[str] = []
    _table(lines, (), data)
    return "\n".join(lines).strip("\n") + "\n"


def _table(lines: list[str], path: tuple[str, ...], table: Mapping[str, Any]) -> None:
    plain = {key: value for key, value in table.items() if value is not None and not _is_table(value)}
    tables = {key: value for key, value in table.items() if _is_table(value)}
    # A table holding only tables needs no header of its own: theirs name it.
    if path and (plain or not tables):
        lines += ["", f"[{'.'.join(map(key_text, path))}]"]
    lines += [f"{key_text(key)} = {value_text(value)}" for key, value in plain.items()]
    for key, value in tables.items():
        _table(lines, (*path, key), value)


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(value)


def key_text(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else string_text(key)


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)  # inf, -inf and nan are TOML too
    if isinstance(value, str):
        return string_text(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{key_text(k)} = {value_text(v)}" for k, v in value.items() if v is not None)
        return f"{{ {items} }}" if items else "{}"
    if isinstance(value, list | tuple):
        return f"[{', '.join(value_text(item) for item in value)}]"
    return string_text(str(value))


def string_text(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    return '"' + "".join(_escaped(char) for char in text) + '"'


def _escaped(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return f"\\u{ord(char):04x}"
    return char
