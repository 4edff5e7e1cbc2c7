"""The body of `PATCH /v1/admin/accounts/{label}`: any of the four pool policy fields.

Strict: an unknown field, a string for a number, a fraction for an integer, or a value
out of range is refused (422) with the field named; `max_concurrent: null` lifts the
limit, while `null` for the others means nothing and is refused too.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dragoman.ir.errors import InvalidRequest
from dragoman.pools.settings import DEFAULT_PRIORITY


class PolicyPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    priority: Annotated[int, Field(ge=0)] = DEFAULT_PRIORITY
    weight: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0
    max_concurrent: Annotated[int, Field(ge=1)] | None = None
    enabled: bool = True


class Unprocessable(InvalidRequest):
    """A well-formed body with a wrong value: the client's mistake, as a 400 is."""

    status = 422
    code = "unprocessable"


def changes_of(parsed: object) -> dict[str, Any]:
    """The fields a decoded body sets, checked; InvalidRequest (400) when it is not an
    object naming at least one, Unprocessable (422) when a field is wrong."""
    if not isinstance(parsed, dict) or not parsed:
        raise InvalidRequest(
            'send a JSON object with any of priority, weight, max_concurrent, enabled (e.g. {"priority": 2})'
        )
    try:
        patch = PolicyPatch.model_validate(parsed)
    except ValidationError as error:
        raise Unprocessable(_problems(error)) from None
    return {name: getattr(patch, name) for name in patch.model_fields_set}


def _problems(error: ValidationError) -> str:
    said = []
    for problem in error.errors(include_url=False):
        field = ".".join(map(str, problem["loc"])) or "body"
        message = "unknown field: the fields are priority, weight, max_concurrent, enabled"
        if problem["type"] != "extra_forbidden":
            message = problem["msg"]
        said.append(f"{field}: {message}")
    return "; ".join(said)
