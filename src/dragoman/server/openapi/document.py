"""The OpenAPI 3.1 description of every route, built from `operations` and the wire types.

Served at `GET /openapi.json` behind the local key, like the admin routes. Each
operation carries `x-dragoman-dialect`: the dialect its errors come in (`asked`: the
request's look decides, as for `/v1/models`).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Sequence
from functools import cache
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

import dragoman
from dragoman.dialects.anthropic import wire as anthropic
from dragoman.dialects.gemini import wire as gemini
from dragoman.dialects.openai_chat import wire as chat
from dragoman.server.gateway import Gateway
from dragoman.server.local_auth import KEY_FILTER_PATHS
from dragoman.server.openapi.operations import ASKED, Operation, Param, operations
from dragoman.server.openapi.typed_schema import Components, Schema

_PATH_PARAMETER = re.compile(r"\{(\w+)\}")
_ERRORS = {"openai": chat.ErrorBody, "anthropic": anthropic.ErrorBody, "gemini": gemini.ErrorBody}
_ERROR_OF = {
    "openai_chat": "openai",
    "openai_responses": "openai",
    "anthropic": "anthropic",
    "gemini": "gemini",
}
# Every way a client may present its key (server.local_auth.presented_key).
SECURITY: dict[str, Schema] = {
    "bearer": {"type": "http", "scheme": "bearer"},
    "x-api-key": {"type": "apiKey", "in": "header", "name": "x-api-key"},
    "x-goog-api-key": {"type": "apiKey", "in": "header", "name": "x-goog-api-key"},
    "x-dragoman-key": {"type": "apiKey", "in": "header", "name": "x-dragoman-key"},
    "key": {"type": "apiKey", "in": "query", "name": "key"},
}


def build(model: str = "MODEL") -> dict[str, Any]:
    """The whole description; `model` is the model the request examples name."""
    components = Components()
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations():
        paths.setdefault(operation.documented_path, {})[operation.method.lower()] = _operation(
            operation, components, model
        )
    for name, typed in _ERRORS.items():
        components.ref(typed, f"{name}.Error")
    return {
        "openapi": "3.1.0",
        "info": {"title": "dragoman", "version": dragoman.__version__},
        "paths": paths,
        "components": {"schemas": components.schemas, "securitySchemes": SECURITY},
        "security": [{name: []} for name in SECURITY],
    }


def _operation(operation: Operation, components: Components, model: str) -> dict[str, Any]:
    described: dict[str, Any] = {
        "operationId": _operation_id(operation),
        "summary": operation.summary,
        "tags": [operation.tag],
        "x-dragoman-dialect": operation.dialect,
        "parameters": _path_parameters(operation.documented_path) + _query(operation.query),
        "responses": _responses(operation, components),
    }
    if operation.body is not None:
        media: dict[str, Any] = {"schema": _body(operation.body, components)}
        example = _example(operation, model)
        if example is not None:
            media["example"] = example
        described["requestBody"] = {"required": True, "content": {operation.body_media: media}}
    if not operation.keyed:
        described["security"] = []
    elif operation.documented_path.startswith(KEY_FILTER_PATHS):  # their `key` is a filter
        described["security"] = [{name: []} for name in SECURITY if name != "key"]
    return described


def _operation_id(operation: Operation) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", "_", operation.documented_path).strip("_")
    return f"{operation.method.lower()}_{words}"


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAMETER.findall(path)
    ]


def _query(query: tuple[Param, ...] | type[BaseModel]) -> list[dict[str, Any]]:
    if isinstance(query, tuple):
        return [
            {"name": p.name, "in": "query", "schema": p.schema, "description": p.description} for p in query
        ]
    properties = query.model_json_schema()["properties"]
    return [_query_parameter(name, schema) for name, schema in properties.items()]


def _query_parameter(name: str, schema: Schema) -> dict[str, Any]:
    # A query string has no null: an absent parameter is the None these models default to.
    arms = [arm for arm in schema.get("anyOf", [schema]) if arm.get("type") != "null"]
    plain = arms[0] if len(arms) == 1 else {"anyOf": arms}
    parameter: dict[str, Any] = {"name": name, "in": "query", "schema": plain}
    if plain.get("type") == "array":
        parameter.update(style="form", explode=False)  # group_by=day,model
    return parameter


def _responses(operation: Operation, components: Components) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": "success"}
    if operation.answer is not None:
        ok["content"] = {"application/json": {"schema": _body(operation.answer, components)}}
    if operation.dialect == ASKED:
        error: Schema = {"anyOf": [components.ref(typed, f"{name}.Error") for name, typed in _ERRORS.items()]}
    else:
        name = _ERROR_OF[operation.dialect]
        error = components.ref(_ERRORS[name], f"{name}.Error")
    failed = {
        "description": "an error in the dialect's shape",
        "content": {"application/json": {"schema": error}},
    }
    return {"200": ok, "default": failed}


def _body(body: object, components: Components) -> Schema:
    """A body's schema: a TypedDict or pydantic model as a component, a written schema
    with its `$typed`/`$model` markers resolved."""
    if isinstance(body, type) and issubclass(body, BaseModel):
        return _model(body, components)
    if typing.is_typeddict(body):
        return components.ref(body)  # type: ignore[arg-type]
    assert isinstance(body, dict), body
    return _written(body, components)


def _written(schema: dict[str, Any], components: Components) -> Schema:
    if "$typed" in schema:
        typed = schema["$typed"]
        if "$required" not in schema:
            return components.ref(typed)
        # The same fields with other required ones: inlined, as the component says otherwise.
        return {**components.object(typed), "required": schema["$required"]}
    if "$model" in schema and "$with" in schema:
        # The model's fields and more (`additionalProperties: false` forbids an allOf).
        inline = _model_inline(schema["$model"], components)
        inline["properties"] = {**_written(schema["$with"], components), **inline["properties"]}
        return {**inline, "required": schema["$required"]}
    if "$model" in schema:
        return _model(schema["$model"], components)
    return {key: _resolved(value, components) for key, value in schema.items()}


def _resolved(value: object, components: Components) -> object:
    if isinstance(value, dict):
        return _written(value, components)
    if isinstance(value, list):
        return [_resolved(item, components) for item in value]
    return value


def _model(model: type[BaseModel], components: Components) -> Schema:
    components.schemas[model.__name__] = _model_inline(model, components)
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _model_inline(model: type[BaseModel], components: Components) -> Schema:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    components.schemas.update(schema.pop("$defs", {}))
    return schema


_EXAMPLES: dict[str, Any] = {
    "/v1/messages": {"max_tokens": 64, "messages": [{"role": "user", "content": "Say hi"}]},
    "/v1/chat/completions": {"messages": [{"role": "user", "content": "Say hi"}]},
    "/v1/responses": {"input": "Say hi"},
}


def _example(operation: Operation, model: str) -> dict[str, Any] | None:
    """A request that works, for the routes a client generates with: the first thing a
    reader (and schemathesis's explicit phase) tries."""
    if operation.route in _EXAMPLES:
        return {"model": model, **_EXAMPLES[operation.route]}
    if operation.documented_path.endswith("GenerateContent") or operation.documented_path.endswith(
        ":generateContent"
    ):
        return {"contents": [{"role": "user", "parts": [{"text": "Say hi"}]}]}
    return None


@cache
def _rendered(model: str) -> bytes:
    return orjson.dumps(build(model))


async def serve(http: HttpRequest) -> Response:
    """`GET /openapi.json`: built once per process (per first model served)."""
    gateway: Gateway = http.app.state.gateway
    served: Sequence[str] = gateway.registry.model_ids()
    return Response(_rendered(served[0] if served else "MODEL"), media_type="application/json")
