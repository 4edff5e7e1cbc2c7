"""Reading a client's JSON body: size-limited before and while reading, then decoded."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request

from dragoman.ir.errors import MalformedJSON, RequestTooLarge


async def read_json(request: Request, limit: int) -> Any:
    """The decoded body. 413 past `limit` bytes (declared or actual), 400 if not JSON."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge(_too_large(int(declared), limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge(_too_large(size, limit))
        chunks.append(chunk)
    request.scope["state"]["exchange"].bytes_in = size
    if not size:
        raise MalformedJSON("the request body is empty; expected a JSON object")
    try:
        return orjson.loads(b"".join(chunks))
    except orjson.JSONDecodeError as error:
        raise MalformedJSON(f"the request body is not valid JSON: {error}") from None


def _too_large(size: int, limit: int) -> str:
    return (
        f"the request body ({size:,} bytes) is over this gateway's limit of {limit:,} bytes "
        "(max_body_bytes in config.toml)"
    )
