"""Reading a client's JSON body: size-limited before and while reading, then decoded."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request

from dragoman.ir.errors import InvalidRequest, MalformedJSON, RequestTooLarge

# orjson reads 1,024 levels of nesting but writes only 254, and the upstream's request
# wraps the client's parts (a tool schema) a few levels deeper again.
TOO_DEEP = (
    "the request body is nested too deeply: dragoman passes JSON on up to 254 levels deep "
    "(the upstream request's own wrapping included) and reads at most 1,024; flatten its "
    "deepest part (often a tool's parameter schema)"
)


def check_tool_schemas(schemas: list[Any]) -> None:
    """InvalidRequest unless these tool parameter schemas can be written at the depth the
    deepest wrapping gives them (Gemini's `tools[].functionDeclarations[].parameters`).
    Needed beyond the error mapping at the edge: a Gemini upstream drops extension keys
    and so may carry a schema that a Responses answer, echoing `tools`, cannot write
    once its stream is under way. The schemas are a small part of a body: a few µs."""
    try:
        orjson.dumps([[[[schemas]]]])
    except orjson.JSONEncodeError:
        raise InvalidRequest(TOO_DEEP) from None


async def read_json(request: Request, limit: int) -> Any:
    """The decoded body. 413 past `limit` bytes (declared or actual), 400 if not JSON."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge(too_large(int(declared), limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge(too_large(size, limit))
        chunks.append(chunk)
    exchange = request.scope["state"]["exchange"]
    exchange.bytes_in = size
    if not size:
        raise MalformedJSON("the request body is empty; expected a JSON object")
    raw = b"".join(chunks)
    if exchange.bodies is not None:
        exchange.bodies.client = raw
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        if str(error).startswith("depth limit exceeded"):
            raise InvalidRequest(TOO_DEEP) from None
        raise MalformedJSON(f"the request body is not valid JSON: {error}") from None


def too_large(size: int, limit: int) -> str:
    return (
        f"the request body ({size:,} bytes) is over this gateway's limit of {limit:,} bytes "
        "(max_body_bytes in config.toml)"
    )
