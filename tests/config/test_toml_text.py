from __future__ import annotations

import math
import tomllib

import pytest

from dragoman.config.toml_text import to_toml

AWKWARD = ['quote " and \\ backslash', "tab\tnew\nline", "bell\x07 del\x7f", "émoji 😀", "[bold]x[/]", ""]


def test_values_read_back_as_written() -> None:
    data = {
        "text": AWKWARD,
        "number": 3,
        "ratio": 0.5,
        "flag": False,
        "empty": {},
        "none": None,
        "table": {"plain": "x", "dotted.key": "y", "inner": {"deep": [1, 2]}, "[x]": {"k": "v"}},
    }
    read = tomllib.loads(to_toml(data))
    assert read == {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("value", [math.inf, -math.inf])
def test_infinities(value: float) -> None:
    assert tomllib.loads(to_toml({"x": value}))["x"] == value


def test_tables_come_after_plain_keys() -> None:
    text = to_toml({"t": {"a": 1}, "b": 2})
    assert text.index("b = 2") < text.index("[t]")
