"""JSON Schema from the dialects' TypedDicts (`dialects/*/wire.py`), for the OpenAPI document.

pydantic cannot read `typing.TypedDict` on Python 3.11, and the wire modules are meant
to stay plain typing: this walks their annotations instead. A TypedDict becomes a
named component (`#/components/schemas/NAME`) whose `required` are its required keys;
fields the parsers keep as extras stay allowed (no `additionalProperties: false`).
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

Schema = dict[str, Any]

_SCALARS: dict[object, Schema] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
    Any: {},
    object: {},
}


class Components:
    """The named schemas collected while converting, keyed by component name."""

    def __init__(self) -> None:
        self.schemas: dict[str, Schema] = {}

    def ref(self, typed: type, name: str | None = None) -> Schema:
        """A `$ref` to `typed`'s schema, converted (once) under `name` or its own name."""
        key = name or f"{typed.__module__.split('.')[-2]}.{typed.__name__}"
        if key not in self.schemas:
            self.schemas[key] = {}  # a placeholder: a TypedDict may refer to itself
            self.schemas[key] = self.object(typed)
        return {"$ref": f"#/components/schemas/{key}"}

    def of(self, annotation: object) -> Schema:
        """The schema of one annotation: a scalar, Literal, list, dict, union or TypedDict."""
        if annotation in _SCALARS:
            return dict(_SCALARS[annotation])
        origin = get_origin(annotation)
        if origin in (typing.Required, typing.NotRequired):
            return self.of(get_args(annotation)[0])
        if origin is Literal:
            return {"enum": list(get_args(annotation))}
        if origin in (Union, types.UnionType):
            return {"anyOf": [self.of(arm) for arm in get_args(annotation)]}
        if origin is list:
            return {"type": "array", "items": self.of(get_args(annotation)[0])}
        if origin is dict:
            return {"type": "object", "additionalProperties": self.of(get_args(annotation)[1])}
        if typing.is_typeddict(annotation):
            return self.ref(annotation)  # type: ignore[arg-type]
        raise TypeError(f"no JSON Schema for {annotation!r}")

    def object(self, typed: type) -> Schema:
        """`typed`'s own object schema (its nested TypedDicts as references)."""
        hints = get_type_hints(typed)
        required: frozenset[str] = getattr(typed, "__required_keys__", frozenset())
        schema: Schema = {
            "type": "object",
            "properties": {name: self.of(hint) for name, hint in hints.items()},
        }
        if required:
            schema["required"] = sorted(required)
        return schema
