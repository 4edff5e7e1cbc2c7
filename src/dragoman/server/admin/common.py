"""What the admin routes share: query parameters validated into a pydantic model
(a clear 400 naming each bad parameter), JSON written by orjson, the tracer."""

from __future__ import annotations

from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from dragoman.ir.errors import InvalidRequest, NotFound
from dragoman.observe.traces.tracer import Tracer
from dragoman.server.gateway import Gateway

Query = TypeVar("Query", bound=BaseModel)


def parameters(http: HttpRequest, model: type[Query]) -> Query:
    """The query string as `model`, or a 400 that says what is wrong with it."""
    try:
        return model.model_validate(dict(http.query_params))
    except ValidationError as error:
        problems = "; ".join(_problem(item) for item in error.errors(include_url=False))
        raise InvalidRequest(f"bad query parameter: {problems}") from None


def _problem(item: Any) -> str:
    where = ".".join(str(part) for part in item["loc"]) or "query"
    message = str(item["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if item["type"] != "extra_forbidden" else f"{where}: not a known parameter"


def json(value: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(value), status_code=status, media_type="application/json")


def tracer_of(http: HttpRequest) -> Tracer:
    gateway: Gateway = http.app.state.gateway
    if gateway.tracer is None:
        raise NotFound("tracing is off on this gateway ([traces] enabled = false)")
    return gateway.tracer
