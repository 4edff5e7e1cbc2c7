"""Conversation state an upstream keeps: Responses' `previous_response_id`.

A Responses client may send only the new turn and name the response it continues.
dragoman stores the responses it answers (`server.responses`): a continuation reaches
an upstream with the id only when that upstream stored the response itself; otherwise
the stored conversation is replayed and the id is gone. Any request still carrying one
to an upstream that keeps nothing is refused here, before it is sent: answering the new
turn alone would look like success while the conversation's context was silently lost.
"""

from __future__ import annotations

from dragoman.ir.errors import InvalidRequest
from dragoman.ir.request import Request


class PreviousResponseNotFound(InvalidRequest):
    """OpenAI's own code for an id it does not know, so clients handle it as they would."""

    code = "previous_response_not_found"


def refuse_previous_response(request: Request, upstream: str) -> None:
    """Raise if `request` continues a stored response `upstream` cannot know."""
    previous = request.previous_response_id
    if previous is None:
        return
    raise PreviousResponseNotFound(
        f"previous_response_id {previous!r} is not known here: {upstream} keeps no stored "
        "responses. Send the whole conversation in `input` instead.",
        param="previous_response_id",
    )
