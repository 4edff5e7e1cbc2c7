"""Where each configuration value came from (a flag, a variable, the file), so that an
error names the place the user has to change, not a file that never held the value."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Layer:
    """One source's values. `names` maps the key paths it set to what set them
    (`--bind`, `DRAGOMAN_BIND`); a layer without names is a file, named by `file`."""

    data: dict[str, Any]
    names: dict[Loc, str] = field(default_factory=dict)
    file: str | None = None

    def name(self, loc: Loc) -> str:
        """`loc` as its source names it: `--bind`, `DRAGOMAN_BIND`, `FILE: key`."""
        if self.file is not None:
            return f"{self.file}: {dotted(loc)}"
        for length in range(len(loc), 0, -1):
            name = self.names.get(loc[:length])
            if name is not None:
                deeper = any(isinstance(part, str) for part in loc[length:])
                return f"{name}: {dotted(loc)}" if deeper else name
        return dotted(loc)


def dotted(loc: Loc) -> str:
    """`("providers", "oai", "kind")` -> `providers.oai.kind`; list indexes as `[0]`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text or "(top level)"


def describe(error: ValidationError, layers: Sequence[Layer]) -> str:
    """Each problem on a line of its own, named by the layer that set the value
    (`layers` highest priority first); one problem is one line."""
    lines = [
        f"{_owner(layers, problem['loc']).name(problem['loc'])}: {_reason(problem)}"
        for problem in error.errors()
    ]
    if len(lines) == 1:
        return lines[0]
    return "\n".join(["invalid configuration:", *(f"  {line}" for line in lines)])


def _reason(problem: Mapping[str, Any]) -> str:
    if problem["type"] == "extra_forbidden":
        return "unknown key"
    message = str(problem["msg"])
    return message.removeprefix("Value error, ")


def _owner(layers: Sequence[Layer], loc: Loc) -> Layer:
    """The layer whose value is at fault: the first that set `loc` (or a value above
    it); for a missing key, the one holding most of its path (the file when tied)."""
    depths = [_reach(layer.data, loc) for layer in layers]
    for layer, depth in zip(layers, depths, strict=True):
        if depth is None:
            return layer
    deepest = max(depth or 0 for depth in depths)
    candidates = [layer for layer, depth in zip(layers, depths, strict=True) if depth == deepest]
    return candidates[-1]


def _reach(data: Any, loc: Loc) -> int | None:
    """None when `data` sets `loc` (the whole path, or a value on the way that is not
    a table); else how many of its parts exist."""
    for depth, part in enumerate(loc):
        if _holds(data, part):
            data = data[part]
        elif isinstance(data, dict | list):
            return depth
        else:
            return None
    return None


def _holds(data: Any, part: str | int) -> bool:
    if isinstance(data, list):
        return isinstance(part, int) and part < len(data)
    return isinstance(data, dict) and part in data
