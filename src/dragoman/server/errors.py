"""Errors at the edge: any exception becomes the client's dialect's error body.

Only `GatewayError` messages reach a client, and those are written for clients (and
masked of secrets as they are set: `ir.errors`). Any other exception is logged here
with its traceback (secrets masked by the log filter) and the client gets a generic
message with the request id to quote; one kind, nesting too deep to pass on, is the
client's doing and becomes a 400, and a database that cannot be used (gone, or its
schema made newer by another dragoman) is a 503 saying so.
"""

from __future__ import annotations

import logging
import math

import orjson
from starlette.responses import Response

from dragoman import dialects
from dragoman.ir.errors import GatewayError, InvalidRequest, MethodNotAllowed, Unavailable
from dragoman.observe.log import request_id
from dragoman.server.body import TOO_DEEP
from dragoman.store.files import UnusableDatabase

log = logging.getLogger("dragoman.server")


def as_gateway_error(error: BaseException) -> GatewayError:
    if isinstance(error, GatewayError):
        return error
    if _too_deep(error):
        log.info("refused a request nested too deeply: %r", error)
        return InvalidRequest(TOO_DEEP)
    if isinstance(error, UnusableDatabase):
        # Not a bug to trace back: the database went away, or a newer dragoman beside
        # this one upgraded its schema. The log names the URL (masked); the client, the problem.
        log.error("%s (request id %s)", error, request_id.get())
        return Unavailable(f"dragoman's database cannot be used: {error.problem}")
    log.error("unexpected error while handling the request", exc_info=error)
    return GatewayError(f"internal error in dragoman (request id {request_id.get()}); see the dragoman log")


def _too_deep(error: BaseException) -> bool:
    """A body read whole that cannot be written back (orjson writes 254 levels of nesting,
    reads 1,024) or walked (Python's recursion limit): the client's nesting, not a bug.
    Mapped here, where every request's errors pass, rather than measured on every body."""
    if isinstance(error, orjson.JSONEncodeError):
        return str(error) == "Recursion limit reached"
    return isinstance(error, RecursionError)


def error_response(error: BaseException, dialect: str) -> Response:
    """The HTTP response a client of `dialect` expects for this error."""
    gateway_error = as_gateway_error(error)
    status, body = dialects.get(dialect).error.render(gateway_error)
    headers = {}
    if gateway_error.retry_after is not None:
        headers["retry-after"] = str(max(0, math.ceil(gateway_error.retry_after)))
    if isinstance(gateway_error, MethodNotAllowed):
        headers["allow"] = ", ".join(gateway_error.allow)
    return Response(orjson.dumps(body), status_code=status, headers=headers, media_type="application/json")
