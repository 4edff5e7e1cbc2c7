"""Several answers to one request: Chat's `n`, Gemini's `candidateCount`.

Chat and Gemini upstreams give several choices in one answer, so a client's request
for more than one is passed on to them (`Request.choices`). Anthropic Messages and
Responses have no such field: asking them would silently return one choice, so the
request is refused before it is sent, naming the field the client used.
"""

from __future__ import annotations

from dragoman.ir.errors import InvalidRequest
from dragoman.ir.request import Request

# The field each client dialect asks for several choices with.
FIELDS: dict[str, str] = {"openai_chat": "n", "gemini": "generationConfig.candidateCount"}


def refuse_choices(request: Request, upstream: str) -> None:
    """Raise if `request` wants several choices from `upstream`, which gives one."""
    if request.choices <= 1:
        return
    field = FIELDS.get(request.source or "", "n")
    raise InvalidRequest(
        f"{field}: {request.choices} choices were asked for, but {upstream} answers with one; "
        f"{field} > 1 is not supported by that upstream. Ask for 1, or send {request.choices} requests.",
        param=field,
    )
