from __future__ import annotations

from dragoman.dialects.gemini.schema import has_open_object, to_gemini, to_json_schema


def test_gemini_types_become_json_schema_types() -> None:
    schema = {
        "type": "OBJECT",
        "properties": {
            "name": {"type": "STRING", "nullable": True},
            "tags": {"type": "ARRAY", "items": {"type": "STRING"}},
            "type": {"type": "INTEGER"},
        },
        "propertyOrdering": ["name", "tags", "type"],
    }
    assert to_json_schema(schema) == {
        "type": "object",
        "properties": {
            "name": {"type": ["string", "null"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "type": {"type": "integer"},
        },
    }


def test_json_schema_passes_through_unchanged() -> None:
    schema = {
        "type": "object",
        "properties": {"path": {"type": "string", "description": "OBJECT is a word here"}},
        "required": ["path"],
        "additionalProperties": False,
    }
    assert to_json_schema(schema) == schema


def test_cleaning_drops_keywords_gemini_rejects() -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "x",
        "type": "object",
        "properties": {
            "n": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 2, "minimum": 1},
            "url": {"type": "string", "format": "uri"},
            "when": {"type": "string", "format": "date-time"},
        },
        "additionalProperties": False,
    }
    assert to_gemini(schema) == {
        "type": "object",
        "properties": {
            "n": {"type": "number", "minimum": 1},
            "url": {"type": "string"},
            "when": {"type": "string", "format": "date-time"},
        },
    }


def test_refs_are_inlined_from_defs_and_definitions() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"$ref": "#/$defs/Point", "description": "start"},
            "b": {"$ref": "#/definitions/Name"},
        },
        "$defs": {"Point": {"type": "object", "properties": {"x": {"type": "integer"}}}},
        "definitions": {"Name": {"type": "string"}},
    }
    assert to_gemini(schema) == {
        "type": "object",
        "properties": {
            "a": {"type": "object", "properties": {"x": {"type": "integer"}}, "description": "start"},
            "b": {"type": "string"},
        },
    }


def test_recursive_refs_are_cut() -> None:
    schema = {
        "type": "object",
        "properties": {"node": {"$ref": "#/$defs/Node"}},
        "$defs": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}},
    }
    cleaned = to_gemini(schema)
    depth, node = 0, cleaned["properties"]["node"]
    while "properties" in node:
        node, depth = node["properties"]["next"], depth + 1
    assert depth == 3
    assert node == {"type": "object"}


def test_nullable_type_lists_and_null_branches() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": ["string", "null"]},
            "b": {"anyOf": [{"type": "integer"}, {"type": "null"}], "description": "maybe"},
            "c": {"type": ["string", "integer"]},
            "d": {"oneOf": [{"type": "string"}, {"type": "boolean"}]},
        },
    }
    assert to_gemini(schema)["properties"] == {
        "a": {"type": "string", "nullable": True},
        "b": {"type": "integer", "nullable": True, "description": "maybe"},
        "c": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        "d": {"anyOf": [{"type": "string"}, {"type": "boolean"}]},
    }


def test_const_and_enums() -> None:
    schema = {
        "type": "object",
        "properties": {
            "kind": {"const": "circle"},
            "mode": {"enum": ["a", "b"]},
            "level": {"type": "integer", "enum": [1, 2, 3], "description": "How loud."},
        },
    }
    assert to_gemini(schema)["properties"] == {
        "kind": {"type": "string", "enum": ["circle"]},
        "mode": {"type": "string", "enum": ["a", "b"]},
        "level": {"type": "integer", "description": "How loud. Allowed values: 1, 2, 3."},
    }


def test_all_of_merges_and_required_keeps_known_properties() -> None:
    schema = {
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            {"properties": {"b": {"type": "string"}}, "required": ["b", "ghost"]},
        ]
    }
    assert to_gemini(schema) == {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
        "required": ["a", "b"],
    }


def test_missing_types_are_inferred_and_arrays_get_items() -> None:
    schema = {"properties": {"list": {"type": "array"}, "tuple": {"items": [{"type": "integer"}]}}}
    assert to_gemini(schema) == {
        "type": "object",
        "properties": {
            "list": {"type": "array", "items": {"type": "string"}},
            "tuple": {"type": "array", "items": {"type": "integer"}},
        },
    }


def test_not_a_schema_becomes_an_empty_object() -> None:
    assert to_gemini(None) == {"type": "object"}


def test_input_is_not_modified() -> None:
    schema = {"type": ["string", "null"], "const": "x", "$defs": {}}
    snapshot = repr(schema)
    to_gemini(schema)
    to_json_schema(schema)
    assert repr(schema) == snapshot


def test_open_objects_are_found_at_any_depth() -> None:
    closed = {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}}}}
    assert not has_open_object(closed)
    assert has_open_object({"type": "object"})
    assert has_open_object({"type": "object", "properties": {"m": {"type": "object"}}})
    assert has_open_object(
        {"type": "object", "properties": {"l": {"type": "array", "items": {"type": "object"}}}}
    )
    assert has_open_object({"anyOf": [{"type": "string"}, {"type": "object", "properties": {}}]})


def test_malformed_keywords_are_left_out_not_a_crash() -> None:
    """A client's schema may be wrong anywhere; what Gemini could not read is dropped."""
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "object", "properties": "not a map", "required": [["a"], "b"]},
            "b": {"type": {"x": 1}, "anyOf": 7, "enum": "x", "format": ["int32"]},
            "c": {"type": "array", "items": {"type": ["string", {}, "null"]}},
        },
        "required": [{"a": 1}, "a"],
        "$defs": ["not", "a", "map"],
    }
    cleaned = to_gemini(schema)
    assert cleaned["required"] == ["a"]
    assert cleaned["properties"]["a"] == {"type": "object"}
    assert cleaned["properties"]["b"] == {}
    assert cleaned["properties"]["c"]["items"] == {"type": "string", "nullable": True}
    assert has_open_object(cleaned)
    assert has_open_object({"type": "object", "properties": {"x": {"type": "string"}}, "anyOf": 3}) is False
