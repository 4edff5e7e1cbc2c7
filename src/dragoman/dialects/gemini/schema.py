"""Tool schemas: Gemini's OpenAPI subset <-> JSON Schema.

`to_json_schema` reads what a Gemini client declared (`parameters` with `OBJECT`-style
types and `nullable`, or `parametersJsonSchema`) as the plain JSON Schema the IR holds.
`to_gemini` cleans any JSON Schema into the subset Gemini's `parameters` accepts: no
`$ref` (inlined from `$defs`/`definitions`), no `additionalProperties`, `const`,
`oneOf`, type lists or non-string enums, which Gemini answers with a 400. A free-form
object (no properties) has no form there at all: `has_open_object` tells the caller
to send such a schema as `parametersJsonSchema` instead.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

_GEMINI_TYPES = {"STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"}
_SCHEMA_VALUED = ("items", "additionalProperties", "not")
_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")

# What Gemini's `Schema` message has a field for; anything else is rejected.
_KEPT = frozenset(
    {
        "type", "format", "title", "description", "nullable", "enum", "items", "properties",
        "required", "anyOf", "minItems", "maxItems", "minLength", "maxLength", "minimum",
        "maximum", "pattern", "minProperties", "maxProperties", "propertyOrdering", "default",
        "example",
    }
)  # fmt: skip
_FORMATS = {
    "string": {"enum", "date-time"},
    "integer": {"int32", "int64"},
    "number": {"float", "double"},
}
# Keywords whose value must have a JSON type for the cleaner to read them.
_SHAPED: dict[str, type | tuple[type, ...]] = {
    "type": (str, list),
    "properties": dict,
    "anyOf": list,
    "oneOf": list,
    "allOf": list,
    "enum": list,
    "required": list,
}
# A `$ref` cycle is cut after this many expansions of the same definition.
_MAX_DEPTH = 3


def to_json_schema(schema: Any) -> Any:
    """A Gemini-style schema as JSON Schema: lowercase types, `nullable` as a type list."""
    if not isinstance(schema, dict):
        return schema
    out: Schema = {}
    for key, value in schema.items():
        if key == "type" and isinstance(value, str) and value in _GEMINI_TYPES:
            out[key] = value.lower()
        elif key == "propertyOrdering" or (key == "nullable" and isinstance(value, bool)):
            continue
        elif key in _SCHEMA_VALUED:
            out[key] = to_json_schema(value)
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [to_json_schema(sub) for sub in value]
        else:
            out[key] = value
    if schema.get("nullable") is True:
        _add_null(out)
    return out


def _add_null(schema: Schema) -> None:
    kind = schema.get("type")
    if isinstance(kind, str) and kind != "null":
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        schema["type"] = [*kind, "null"]
    elif kind is None:
        schema["anyOf"] = [*_list(schema.get("anyOf", [{}])), {"type": "null"}]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def has_open_object(schema: Schema) -> bool:
    """Whether a cleaned schema holds an object with no properties, which `parameters`
    refuses ("should be non-empty for OBJECT type") at any depth."""
    if schema.get("type") == "object" and not schema.get("properties"):
        return True
    children = [*_object(schema.get("properties")).values(), *_list(schema.get("anyOf"))]
    if isinstance(schema.get("items"), dict):
        children.append(schema["items"])
    return any(has_open_object(child) for child in children if isinstance(child, dict))


def to_gemini(schema: Any) -> Schema:
    """Any JSON Schema cleaned into Gemini's `parameters` subset."""
    if not isinstance(schema, dict):
        return {"type": "object"}
    definitions = {**_object(schema.get("definitions")), **_object(schema.get("$defs"))}
    return _Cleaner(definitions).clean(schema)


def _object(value: Any) -> Schema:
    return value if isinstance(value, dict) else {}


class _Cleaner:
    __slots__ = ("_definitions", "_expanding")

    def __init__(self, definitions: dict[str, Any]) -> None:
        self._definitions = definitions
        self._expanding: list[str] = []

    def clean(self, schema: Any) -> Schema:
        if not isinstance(schema, dict):
            return {}
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._inline(ref, schema)
        out: Schema = {}
        for key, value in schema.items():
            self._keyword(out, key, value)
        _fix_type(out)
        _fix_enum(out)
        _fix_format(out)
        _fix_required(out)
        return out

    def _keyword(self, out: Schema, key: str, value: Any) -> None:
        if key in _SHAPED and not isinstance(value, _SHAPED[key]):
            return  # malformed (`"properties": "x"`): left out, like any keyword Gemini lacks
        if key == "type" and isinstance(value, list):
            _type_list(out, value)
        elif key == "const":
            out["enum"] = [value]
        elif key in ("anyOf", "oneOf"):
            self._any_of(out, value)
        elif key == "allOf":
            for sub in value:
                _merge(out, self.clean(sub))
        elif key == "properties":
            out[key] = {name: self.clean(sub) for name, sub in value.items()}
        elif key == "items":
            out[key] = self.clean(value[0] if isinstance(value, list) and value else value)
        elif key == "examples" and isinstance(value, list) and value:
            out.setdefault("example", value[0])
        elif key in _KEPT:
            out[key] = value

    def _inline(self, ref: str, schema: Schema) -> Schema:
        name = ref.rsplit("/", 1)[-1]
        target = self._definitions.get(name)
        if target is None or self._expanding.count(name) >= _MAX_DEPTH:
            inlined: Schema = {"type": "object"}
        else:
            self._expanding.append(name)
            inlined = self.clean(target)
            self._expanding.pop()
        if isinstance(schema.get("description"), str):
            inlined = {**inlined, "description": schema["description"]}
        return inlined

    def _any_of(self, out: Schema, branches: list[Any]) -> None:
        cleaned = [self.clean(branch) for branch in branches]
        kept = [branch for branch in cleaned if branch.get("type") != "null"]
        if len(kept) < len(cleaned):
            out["nullable"] = True
        if len(kept) == 1:
            _merge(out, kept[0])
        elif kept:
            out["anyOf"] = kept


def _type_list(out: Schema, kinds: list[Any]) -> None:
    named = [kind for kind in kinds if isinstance(kind, str) and kind != "null"]
    if len(named) < len(kinds):
        out["nullable"] = True
    if len(named) == 1:
        out["type"] = named[0]
    elif named:
        out["anyOf"] = [{"type": kind} for kind in named]


def _merge(out: Schema, extra: Schema) -> None:
    """Fold a sub-schema into `out`: properties and required add up, other keys fill gaps."""
    for key, value in extra.items():
        if key == "properties" and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        elif key == "required" and isinstance(out.get(key), list):
            out[key] = [*out[key], *(name for name in value if name not in out[key])]
        else:
            out.setdefault(key, value)


def _fix_type(out: Schema) -> None:
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = kind.lower()
    elif "anyOf" not in out:
        if "properties" in out:
            out["type"] = "object"
        elif "items" in out:
            out["type"] = "array"
        elif "enum" in out:
            out["type"] = "string"
    if out.get("type") == "array" and "items" not in out:
        # Gemini rejects an array without `items`; strings are the least surprising default.
        out["items"] = {"type": "string"}


def _fix_enum(out: Schema) -> None:
    """Gemini allows `enum` only on strings; other enums become a hint in the description."""
    values = out.get("enum")
    if not isinstance(values, list):
        return
    if all(isinstance(value, str) for value in values) and out.get("type", "string") == "string":
        out["type"] = "string"
        return
    del out["enum"]
    if None in values:
        out["nullable"] = True
    listed = ", ".join(str(value) for value in values if value is not None)
    hint = f"Allowed values: {listed}."
    out["description"] = f"{out['description']} {hint}" if out.get("description") else hint


def _fix_format(out: Schema) -> None:
    allowed = _FORMATS.get(out.get("type", ""), set())
    if "format" in out and (not isinstance(out["format"], str) or out["format"] not in allowed):
        del out["format"]


def _fix_required(out: Schema) -> None:
    required = out.get("required")
    if not isinstance(required, list):
        return
    properties = out.get("properties") or {}
    kept = [name for name in required if isinstance(name, str) and name in properties]
    if kept:
        out["required"] = kept
    else:
        del out["required"]
