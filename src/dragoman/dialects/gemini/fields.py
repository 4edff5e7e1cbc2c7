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

from dragoman.dialects import fields
from dragoman.dialects.fields import (
    expect_list,
    expect_object,
    expect_str,
    invalid,
    json_name,
    optional_bool,
    optional_float,
    optional_str,
)

__all__ = [
    "camel",
    "expect_list",
    "expect_object",
    "expect_str",
    "get",
    "invalid",
    "json_name",
    "leftovers",
    "optional_bool",
    "optional_float",
    "optional_int",
    "optional_str",
    "snake",
]

_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


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


def optional_int(value: object, path: str, *, minimum: int = fields.INT_MIN) -> int | None:
    if isinstance(value, str) and value.lstrip("-").isdigit():
        # Proto JSON writes int64 fields as strings; the range check still applies.
        value = int(value)
    return fields.optional_int(value, path, minimum=minimum)
