"""Reading a Gemini client's JSON: either spelling of a field, errors naming its path.

The REST API is camelCase, but its JSON parser also takes the proto's snake_case
names, and google-genai writes some of them (`function_declarations`,
`parameters_json_schema`), so every field is looked up under both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from dragoman.ir.errors import InvalidRequest

_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")

_JSON_NAMES: dict[type, str] = {
    dict: "object",
    list: "list",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


@cache
def snake(name: str) -> str:
    """`maxOutputTokens` -> `max_output_tokens`."""
    return _HUMP.sub(r"_\1", name).lower()


@cache
def camel(name: str) -> str:
    """`max_output_tokens` -> `maxOutputTokens` (camelCase names pass unchanged)."""
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def get(obj: Mapping[str, Any], name: str) -> Any:
    """The value of camelCase field `name`, or of its snake_case twin, or None."""
    value = obj.get(name)
    if value is None:
        value = obj.get(snake(name))
    return value


def leftovers(obj: Mapping[str, Any], known: Iterable[str]) -> dict[str, Any]:
    """The fields of `obj` not named in `known` (camelCase), keyed by their camelCase name."""
    names = set(known)
    return {camel(key): value for key, value in obj.items() if camel(key) not in names}


def json_name(value: object) -> str:
    return _JSON_NAMES.get(type(value), type(value).__name__)


def invalid(path: str, problem: str) -> InvalidRequest:
    return InvalidRequest(f"{path}: {problem}", param=path)


def expect_object(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(path, f"expected an object, got {json_name(value)}")
    return value


def expect_list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise invalid(path, f"expected a list, got {json_name(value)}")
    return value


def expect_str(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise invalid(path, f"expected a string, got {json_name(value)}")
    return value


def optional_str(value: object, path: str) -> str | None:
    return None if value is None else expect_str(value, path)


def optional_int(value: object, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        # Proto JSON writes int64 fields as strings.
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(path, f"expected an integer, got {json_name(value)}")
    return value


def optional_float(value: object, path: str) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise invalid(path, f"expected a number, got {json_name(value)}")
    return float(value)


def optional_bool(value: object, path: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise invalid(path, f"expected a boolean, got {json_name(value)}")
