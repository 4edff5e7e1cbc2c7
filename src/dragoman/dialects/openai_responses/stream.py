"""Responses streams: an upstream's SSE events -> IR events (`Parser`), and IR events ->
the SSE a client receives (`Renderer`, in `stream_render`).

Every item of the output becomes one IR part, except a message, which gives one part
per content part. Content is taken from the delta events; an item's `done` event
fills in whatever its deltas did not carry (encrypted reasoning always arrives there,
and some servers send items whole). The stream must end in `response.completed`,
`response.incomplete`, `response.failed` or `error`; the Codex backend may leave
`response.completed.response.output` empty, which is why the items are read from the
events and not from it.
"""

from __future__ import annotations

from typing import Any

import orjson

from dragoman import sse
from dragoman.dialects.openai_responses import images, items
from dragoman.dialects.openai_responses.error import from_event
from dragoman.dialects.openai_responses.response import parse_usage, stop_reason
from dragoman.dialects.openai_responses.stream_render import Renderer
from dragoman.ir.errors import UpstreamError
from dragoman.ir.events import Event, PartDelta, PartStart, PartStop, Start, Stop, StreamError, UsageUpdate
from dragoman.ir.messages import Part, Text, Thinking, ToolCall

__all__ = ["Parser", "Renderer"]

_WHOLE = -1  # the content slot of items that are a single part (reasoning, calls)
_CUSTOM_CLOSE = '"}'


class Parser:
    """Folds one upstream Responses stream into IR events, stamping thinking with `origin`."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self._started = False
        self._done = False
        self._slots: dict[tuple[int, int], int] = {}  # (output_index, content_index) -> IR index
        self._kinds: dict[int, str] = {}  # IR index -> text | thinking | call | custom
        self._open: set[int] = set()
        self._filled: set[int] = set()
        self._thinking_from: dict[int, tuple[str, int]] = {}  # IR index -> (delta kind, last sub-index)
        self._tools = False
        self._refused = False

    def feed(self, event: sse.Event) -> list[Event]:
        if self._done:
            return []
        try:
            data = orjson.loads(event.data)
        except orjson.JSONDecodeError:
            return []  # e.g. a stray "[DONE]"; Responses streams carry JSON only
        if not isinstance(data, dict):
            return []
        kind = data.get("type") if isinstance(data.get("type"), str) else event.event
        handler = _HANDLERS.get(kind or "")
        return handler(self, data) if handler is not None else []

    def close(self) -> list[Event]:
        if self._done:
            return []
        self._done = True
        return [StreamError(UpstreamError("the upstream stream ended before response.completed"))]

    # --- lifecycle ---

    def _lifecycle(self, data: dict[str, Any]) -> list[Event]:
        return self._start(data.get("response"))

    def _start(self, response: Any) -> list[Event]:
        if self._started:
            return []
        self._started = True
        response = _object(response)
        return [Start(id=str(response.get("id") or ""), model=str(response.get("model") or ""))]

    def _finish(self, data: dict[str, Any]) -> list[Event]:
        response = _object(data.get("response"))
        out = self._start(response)
        if not self._kinds:
            out += self._whole_output(response.get("output"))
        for index in sorted(self._open):  # items the upstream never marked done
            if self._kinds[index] == "custom":
                out.append(PartDelta(index, text=_CUSTOM_CLOSE))
            out.append(PartStop(index))
        self._open.clear()
        self._done = True
        out.append(UsageUpdate(parse_usage(response.get("usage"))))
        out.append(Stop(stop_reason(response, tools=self._tools, refused=self._refused)))
        return out

    def _whole_output(self, output: Any) -> list[Event]:
        """Items only the final response lists (servers that send no item events)."""
        out: list[Event] = []
        for output_index, item in enumerate(output if isinstance(output, list) else []):
            if isinstance(item, dict):
                out += self._item_done({"output_index": output_index, "item": item})
        return out

    def _failed(self, data: dict[str, Any]) -> list[Event]:
        response = _object(data.get("response"))
        self._done = True
        return [StreamError(from_event(response.get("error")))]

    def _error(self, data: dict[str, Any]) -> list[Event]:
        self._done = True
        return [StreamError(from_event(data))]

    # --- items ---

    def _item_added(self, data: dict[str, Any]) -> list[Event]:
        item, output_index = data.get("item"), data.get("output_index")
        if not isinstance(item, dict) or not isinstance(output_index, int):
            return []
        return self._start(None) + self._open_item(output_index, item)

    def _open_item(self, output_index: int, item: dict[str, Any]) -> list[Event]:
        kind = item.get("type")
        if kind == "reasoning":
            thinking = Thinking(
                id=item.get("id") if isinstance(item.get("id"), str) else None, origin=self.origin
            )
            return self._open_slot((output_index, _WHOLE), thinking, "thinking")
        if items.is_client_call(item):
            call = items.call_part(item)
            self._tools = True
            if kind != "custom_tool_call":
                return self._open_slot((output_index, _WHOLE), ToolCall(id=call.id, name=call.name), "call")
            out = self._open_slot((output_index, _WHOLE), ToolCall(id=call.id, name=call.name), "custom")
            if out:  # the freeform text streams as the inside of {"input": "..."}
                out.append(PartDelta(self._slots[(output_index, _WHOLE)], text='{"input":"'))
            return out
        return []

    def _open_slot(self, slot: tuple[int, int], part: Part, kind: str) -> list[Event]:
        if slot in self._slots:
            return []
        index = len(self._kinds)
        self._slots[slot] = index
        self._kinds[index] = kind
        self._open.add(index)
        return [PartStart(index, part)]

    def _item_done(self, data: dict[str, Any]) -> list[Event]:
        item, output_index = data.get("item"), data.get("output_index")
        if not isinstance(item, dict) or not isinstance(output_index, int):
            return []
        out = self._start(None)
        if item.get("type") == "message":
            return out + self._message_done(output_index, item)
        if item.get("type") == images.KIND:
            return out + self._image_done(output_index, item)
        out += self._open_item(output_index, item)
        index = self._slots.get((output_index, _WHOLE))
        if index is None or index not in self._open:
            return out
        out += self._fill(index, item)
        self._open.discard(index)
        return [*out, PartStop(index)]

    def _fill(self, index: int, item: dict[str, Any]) -> list[Event]:
        kind, filled = self._kinds[index], index in self._filled
        out: list[Event] = []
        if kind == "thinking":
            text = "" if filled else items.reasoning_text(item)
            if text:
                out.append(PartDelta(index, text=text))
            if isinstance(item.get("encrypted_content"), str) and item["encrypted_content"]:
                out.append(PartDelta(index, signature=item["encrypted_content"]))
        elif kind == "call":
            arguments = items.call_part(item).arguments
            if not filled and arguments:
                out.append(PartDelta(index, text=arguments))
        else:
            freeform = item.get("input")
            if not filled and isinstance(freeform, str) and freeform:
                out.append(PartDelta(index, text=items.escape(freeform)))
            out.append(PartDelta(index, text=_CUSTOM_CLOSE))
        return out

    def _image_done(self, output_index: int, item: dict[str, Any]) -> list[Event]:
        """A finished image call, whole: its image is one part (the stages before carry none)."""
        image = images.image_part(item)
        if image is None:
            return []
        out = self._open_slot((output_index, _WHOLE), image, "image")
        self._open.discard(self._slots[(output_index, _WHOLE)])
        return [*out, PartStop(self._slots[(output_index, _WHOLE)])] if out else []

    def _message_done(self, output_index: int, item: dict[str, Any]) -> list[Event]:
        out: list[Event] = []
        for content_index, (text, refusal) in enumerate(items.message_texts(item)):
            self._refused = self._refused or refusal
            out += self._open_slot((output_index, content_index), Text(""), "text")
            out += self._close_text(self._slots[(output_index, content_index)], text)
        return out

    # --- content ---

    def _part_added(self, data: dict[str, Any]) -> list[Event]:
        part = data.get("part")
        kind = part.get("type") if isinstance(part, dict) else None
        if kind not in ("output_text", "refusal") or not isinstance(data.get("output_index"), int):
            return []
        self._refused = self._refused or kind == "refusal"
        slot = (data["output_index"], data.get("content_index") or 0)
        return self._start(None) + self._open_slot(slot, Text(""), "text")

    def _part_done(self, data: dict[str, Any]) -> list[Event]:
        part, output_index = data.get("part"), data.get("output_index")
        index = (
            self._slots.get((output_index, data.get("content_index") or 0))
            if isinstance(output_index, int)
            else None
        )
        if index is None or not isinstance(part, dict) or self._kinds[index] != "text":
            return []
        text = part.get("text") if part.get("type") == "output_text" else part.get("refusal")
        return self._close_text(index, text if isinstance(text, str) else "")

    def _close_text(self, index: int, text: str) -> list[Event]:
        if index not in self._open:
            return []
        self._open.discard(index)
        out: list[Event] = []
        if index not in self._filled and text:
            out.append(PartDelta(index, text=text))
        return [*out, PartStop(index)]

    def _text_delta(self, data: dict[str, Any]) -> list[Event]:
        if data.get("type") == "response.refusal.delta":
            self._refused = True
        output_index = data.get("output_index")
        if not isinstance(output_index, int):
            return []
        slot = (output_index, data.get("content_index") or 0)
        index = self._slots.get(slot)
        if index is not None:  # every piece of a text but its first
            return self._delta(index, data.get("delta"))
        out = self._start(None) + self._open_slot(slot, Text(""), "text")
        return out + self._delta(self._slots[slot], data.get("delta"))

    def _call_delta(self, data: dict[str, Any]) -> list[Event]:
        index = self._whole_item(data)
        if index is None or self._kinds[index] not in ("call", "custom"):
            return []  # a call whose item never opened: its done event carries it whole
        delta = data.get("delta")
        if self._kinds[index] == "custom" and isinstance(delta, str):
            delta = items.escape(delta)
        return self._delta(index, delta)

    def _thinking_delta(self, data: dict[str, Any]) -> list[Event]:
        index = self._whole_item(data)
        if index is None or self._kinds[index] != "thinking":
            return []
        source = "summary" if "summary" in str(data.get("type")) else "text"
        sub = data.get("summary_index" if source == "summary" else "content_index") or 0
        seen = self._thinking_from.get(index)
        if seen is not None and seen[0] != source:
            return []  # summary and raw text both streamed: keep the first kind only
        self._thinking_from[index] = (source, sub)
        delta = data.get("delta")
        if seen is not None and seen[1] != sub and isinstance(delta, str):
            delta = "\n\n" + delta  # a new summary part, as `items.reasoning_text` joins them
        return self._delta(index, delta)

    def _whole_item(self, data: dict[str, Any]) -> int | None:
        """The IR index of the reasoning item or call an event is about."""
        output_index = data.get("output_index")
        return self._slots.get((output_index, _WHOLE)) if isinstance(output_index, int) else None

    def _delta(self, index: int, delta: Any) -> list[Event]:
        if not isinstance(delta, str) or not delta or index not in self._open:
            return []
        self._filled.add(index)
        return [PartDelta(index, text=delta)]


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


_HANDLERS = {
    "response.created": Parser._lifecycle,
    "response.queued": Parser._lifecycle,
    "response.in_progress": Parser._lifecycle,
    "response.completed": Parser._finish,
    "response.incomplete": Parser._finish,
    "response.failed": Parser._failed,
    "error": Parser._error,
    "response.output_item.added": Parser._item_added,
    "response.output_item.done": Parser._item_done,
    "response.content_part.added": Parser._part_added,
    "response.content_part.done": Parser._part_done,
    "response.output_text.delta": Parser._text_delta,
    "response.refusal.delta": Parser._text_delta,
    "response.function_call_arguments.delta": Parser._call_delta,
    "response.custom_tool_call_input.delta": Parser._call_delta,
    "response.reasoning_summary_text.delta": Parser._thinking_delta,
    "response.reasoning_text.delta": Parser._thinking_delta,
}
