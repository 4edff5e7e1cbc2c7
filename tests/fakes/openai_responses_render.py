"""A Reply as an OpenAI Responses answer: the Response object and its SSE event sequence.

Event order follows api.openai.com: response.created, response.in_progress, then per output
item (reasoning, message, function calls, image generation calls: `openai_responses_images`)
output_item.added ... output_item.done, then one
terminal event (response.completed | response.incomplete | response.failed). Every event
carries a `sequence_number` counting from 0; there is no [DONE].
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson

from tests.fakes import openai_responses_images as images
from tests.fakes.base import new_id, new_token
from tests.fakes.openai_base import now
from tests.fakes.script import Reply, split

Event = tuple[str, dict[str, Any]]
INCOMPLETE = {"max_tokens": "max_output_tokens", "refusal": "content_filter"}


def usage(reply: Reply) -> dict[str, Any]:
    u = reply.usage
    return {
        "input_tokens": u.input,
        "input_tokens_details": {"cached_tokens": u.cached},
        "output_tokens": u.output,
        "output_tokens_details": {"reasoning_tokens": u.reasoning},
        "total_tokens": u.input + u.output,
    }


class Rendering:
    """Builds the items once, then serves them whole or as events."""

    def __init__(self, body: dict[str, Any], reply: Reply, issue: Callable[[], str]) -> None:
        self.body = body
        self.reply = reply
        self.id = new_id("resp_")
        self.created_at = now()
        self.status = "incomplete" if reply.stop in INCOMPLETE else "completed"
        if compacting(body):
            self.items = [{"id": new_id("cmp_"), "type": "compaction", "encrypted_content": issue()}]
        else:
            self.items = [*self._reasoning(issue), *self._message(), *self._calls()]

    # -- items -----------------------------------------------------------------------------

    def _reasoning(self, issue: Callable[[], str]) -> list[dict[str, Any]]:
        if self.reply.thinking is None:
            return []
        item: dict[str, Any] = {"id": new_id("rs_"), "type": "reasoning", "summary": []}
        if (self.body.get("reasoning") or {}).get("summary") and self.reply.thinking:
            item["summary"] = [{"type": "summary_text", "text": self.reply.thinking}]
        if "reasoning.encrypted_content" in (self.body.get("include") or []):
            item["encrypted_content"] = issue()
        return [item]

    def _message(self) -> list[dict[str, Any]]:
        if self.reply.text is None and self.reply.tool_calls:
            return []
        part = {"type": "output_text", "text": self.reply.text or "", "annotations": [], "logprobs": []}
        return [
            {
                "id": new_id("msg_"),
                "type": "message",
                "status": self.status,
                "role": "assistant",
                "content": [part],
            }
        ]

    def _calls(self) -> list[dict[str, Any]]:
        drawing = images.offered(self.body)
        return [
            images.item(call)
            if drawing and call.name == images.TOOL
            else {
                "id": new_id("fc_"),
                "type": "function_call",
                "status": "completed",
                "arguments": orjson.dumps(call.args).decode(),
                "call_id": call.id or new_id("call_"),
                "name": call.name,
            }
            for call in self.reply.tool_calls
        ]

    # -- whole response --------------------------------------------------------------------

    def response(
        self, status: str | None = None, output: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        body = self.body
        status = status or self.status
        reason = INCOMPLETE.get(self.reply.stop) if status == "incomplete" else None
        final = status in ("completed", "incomplete")
        return {
            "id": self.id,
            "object": "response",
            "created_at": self.created_at,
            "status": status,
            "background": False,
            "error": None,
            "incomplete_details": {"reason": reason} if reason else None,
            "instructions": body.get("instructions"),
            "max_output_tokens": body.get("max_output_tokens"),
            "model": body["model"],
            "output": self.items if output is None else output,
            "parallel_tool_calls": body.get("parallel_tool_calls", True),
            "previous_response_id": body.get("previous_response_id"),
            "reasoning": {"effort": None, "summary": None, **(body.get("reasoning") or {})},
            "service_tier": "default",
            "store": body.get("store", True),
            "temperature": body.get("temperature", 1.0),
            "text": body.get("text") or {"format": {"type": "text"}, "verbosity": "medium"},
            "tool_choice": body.get("tool_choice", "auto"),
            "tools": body.get("tools") or [],
            "top_p": body.get("top_p", 1.0),
            "truncation": body.get("truncation", "disabled"),
            "usage": usage(self.reply) if final else None,
            "user": body.get("user"),
            "metadata": body.get("metadata") or {},
        }

    # -- stream ----------------------------------------------------------------------------

    def events(self, failure: dict[str, Any] | None = None, failed: bool = False) -> list[Event]:
        """All events; with `failure`, the stream ends in it instead of the terminal event."""
        events: list[Event] = [
            ("response.created", {"response": self.response("in_progress", [])}),
            ("response.in_progress", {"response": self.response("in_progress", [])}),
        ]
        for index, item in enumerate(self.items):
            events.extend(_ITEM_EVENTS[item["type"]](item, index, self.reply.chunks))
        if failure is None:
            terminal = "response.completed" if self.status == "completed" else "response.incomplete"
            events.append((terminal, {"response": self.response()}))
        elif failed:
            snapshot = {**self.response("failed"), "error": failure}
            events.append(("response.failed", {"response": snapshot}))
        else:
            events.append(("error", {**failure, "param": None}))
        return [
            (name, {"type": name, **payload, "sequence_number": n})
            for n, (name, payload) in enumerate(events)
        ]


def compacting(body: dict[str, Any]) -> bool:
    """A request ending with a compaction_trigger, answered by one compaction item."""
    items = body.get("input")
    return isinstance(items, list) and bool(items) and (items[-1] or {}).get("type") == "compaction_trigger"


def _compaction_events(item: dict[str, Any], index: int, chunks: int) -> Iterator[Event]:
    where = {"output_index": index}
    yield "response.output_item.added", {**where, "item": {"id": item["id"], "type": "compaction"}}
    yield "response.compaction.compacting", {**where, "item_id": item["id"]}
    yield "response.output_item.done", {**where, "item": item}


def _reasoning_events(item: dict[str, Any], index: int, chunks: int) -> Iterator[Event]:
    at = {"item_id": item["id"], "output_index": index}
    yield "response.output_item.added", {"output_index": index, "item": {**item, "summary": []}}
    for number, summary in enumerate(item["summary"]):
        where = {**at, "summary_index": number}
        yield "response.reasoning_summary_part.added", {**where, "part": {"type": "summary_text", "text": ""}}
        for piece in split(summary["text"], chunks):
            yield (
                "response.reasoning_summary_text.delta",
                {**where, "delta": piece, "obfuscation": new_token(4)},
            )
        yield "response.reasoning_summary_text.done", {**where, "text": summary["text"]}
        yield "response.reasoning_summary_part.done", {**where, "part": summary}
    yield "response.output_item.done", {"output_index": index, "item": item}


def _message_events(item: dict[str, Any], index: int, chunks: int) -> Iterator[Event]:
    at = {"item_id": item["id"], "output_index": index, "content_index": 0}
    part = item["content"][0]
    opening = {**item, "status": "in_progress", "content": []}
    yield "response.output_item.added", {"output_index": index, "item": opening}
    yield "response.content_part.added", {**at, "part": {**part, "text": ""}}
    for piece in split(part["text"], chunks) if part["text"] else []:
        yield (
            "response.output_text.delta",
            {**at, "delta": piece, "logprobs": [], "obfuscation": new_token(4)},
        )
    yield "response.output_text.done", {**at, "text": part["text"], "logprobs": []}
    yield "response.content_part.done", {**at, "part": part}
    yield "response.output_item.done", {"output_index": index, "item": item}


def _call_events(item: dict[str, Any], index: int, chunks: int) -> Iterator[Event]:
    at = {"item_id": item["id"], "output_index": index}
    opening = {**item, "status": "in_progress", "arguments": ""}
    yield "response.output_item.added", {"output_index": index, "item": opening}
    for piece in split(item["arguments"], chunks):
        yield "response.function_call_arguments.delta", {**at, "delta": piece, "obfuscation": new_token(4)}
    yield (
        "response.function_call_arguments.done",
        {**at, "name": item["name"], "arguments": item["arguments"]},
    )
    yield "response.output_item.done", {"output_index": index, "item": item}


_ITEM_EVENTS: dict[str, Callable[[dict[str, Any], int, int], Iterator[Event]]] = {
    "reasoning": _reasoning_events,
    "message": _message_events,
    "function_call": _call_events,
    "compaction": _compaction_events,
    "image_generation_call": images.events,
}
