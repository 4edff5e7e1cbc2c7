"""A compaction answer on the Responses wire: the model's whole answer with its output
replaced by the one compaction item, as JSON or as the stream OpenAI sends for a
compaction_trigger (created, item added, compacting, item done, completed)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from dragoman import sse

SSE_HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}


def whole(answer: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """The Responses object answering the trigger."""
    return {**answer, "status": "completed", "output": [item], "incomplete_details": None}


def streamed(answer: dict[str, Any], item: dict[str, Any]) -> Response:
    """The trigger's answer as one SSE body (the summary is whole by now)."""
    return Response(b"".join(sse_events(answer, item)), media_type="text/event-stream", headers=SSE_HEADERS)


def sse_events(answer: dict[str, Any], item: dict[str, Any]) -> list[bytes]:
    done = whole(answer, item)
    started = {**done, "status": "in_progress", "output": [], "usage": None}
    where = {"output_index": 0}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": started},
        {"type": "response.in_progress", "response": started},
        {"type": "response.output_item.added", **where, "item": {"type": "compaction", "id": item["id"]}},
        {"type": "response.compaction.compacting", **where, "item_id": item["id"]},
        {"type": "response.output_item.done", **where, "item": item},
        {"type": "response.completed", "response": done},
    ]
    return [
        sse.encode(orjson.dumps({**event, "sequence_number": number}), event=event["type"])
        for number, event in enumerate(events)
    ]
