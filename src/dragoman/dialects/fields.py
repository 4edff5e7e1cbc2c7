"""Reading a client's JSON: typed field access whose errors name the field's path.

Client bodies are untrusted; every malformed value becomes an `InvalidRequest` such
as `messages[2].content: expected a string or a list, got number`, never a
KeyError or AttributeError deep in a parser.
"""

from __future__ import annotations

from typing import Any

from dragoman.ir.errors import InvalidRequest

# The signed 64-bit range: what every vendor's integer fields hold.
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1

_JSON_NAMES: dict[type, str] = {
    dict: "object",
    list: "list",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


def json_name(value: object) -> str:
    """The JSON name of a decoded value's type, for error messages."""
    return _JSON_NAMES.get(type(value), type(value).__name__)


def invalid(path: str, problem: str) -> InvalidRequest:
    return InvalidRequest(f"{path}: {problem}" if path else problem, param=path or None)


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


def optional_object(value: object, path: str) -> dict[str, Any] | None:
    return None if value is None else expect_object(value, path)


def optional_bool(value: object, path: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise invalid(path, f"expected a boolean, got {json_name(value)}")


def optional_int(value: object, path: str, *, minimum: int = INT_MIN) -> int | None:
    """An integer field: a whole number (`8.0` too) from `minimum` to `INT_MAX`.

    Every dialect reads its integers here, so all refuse alike what an upstream body
    could not carry: orjson reads an integer past 64 bits as a float (`1e30`), and
    serializing one back would fail long after the field's name is known.
    """
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(path, f"expected an integer, got {json_name(value)}")
    if not INT_MIN <= value <= INT_MAX:
        raise invalid(path, f"{value:.4g} is out of range: integers must fit in 64 bits")
    if value < minimum:
        raise invalid(path, f"expected an integer of at least {minimum}, got {value}")
    return value


def optional_float(value: object, path: str) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise invalid(path, f"expected a number, got {json_name(value)}")
    return float(value)
