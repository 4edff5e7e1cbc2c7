"""Fixed wire bodies: what the fake upstream answers, and what the load generator sends.

Answers are built once, as the bytes of a whole HTTP/1.1 response, so the fake upstream
does no work per request beyond finding the right one. Every answer carries the same
20 words, one per stream chunk, so any target's output can be checked for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

WORDS = [f"w{n:02d}" for n in range(20)]
TEXT = " ".join(WORDS)
LAST_WORD = WORDS[-1].encode()
MODELS = {"chat": "bench-chat", "anthropic": "bench-anthropic", "responses": "bench-responses"}
CLAUDE_CODE = (
    Path(__file__).resolve().parents[1]
    / "tests/fixtures/client-requests/claude-code/01-anthropic.messages.stream.json"
)
USAGE_CHAT = {"prompt_tokens": 12, "completion_tokens": 20, "total_tokens": 32}
USAGE_RESPONSES = {
    "input_tokens": 12,
    "input_tokens_details": {"cached_tokens": 0},
    "output_tokens": 20,
    "output_tokens_details": {"reasoning_tokens": 0},
    "total_tokens": 32,
}


def _pieces() -> list[str]:
    return [word if n == 0 else " " + word for n, word in enumerate(WORDS)]


# --- upstream answers: JSON ---------------------------------------------------------------


def chat_json() -> dict[str, Any]:
    message = {"role": "assistant", "content": TEXT, "refusal": None}
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": MODELS["chat"],
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
        "usage": USAGE_CHAT,
    }


def anthropic_json() -> dict[str, Any]:
    return {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": MODELS["anthropic"],
        "content": [{"type": "text", "text": TEXT}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": 20},
    }


def _responses_message(status: str, text: str | None) -> dict[str, Any]:
    content = [] if text is None else [{"type": "output_text", "text": text, "annotations": []}]
    return {"id": "msg_bench", "type": "message", "status": status, "role": "assistant", "content": content}


def responses_json(status: str = "completed", output: list[Any] | None = None) -> dict[str, Any]:
    return {
        "id": "resp_bench",
        "object": "response",
        "created_at": 1_700_000_000,
        "status": status,
        "error": None,
        "incomplete_details": None,
        "model": MODELS["responses"],
        "output": [_responses_message("completed", TEXT)] if output is None else output,
        "usage": USAGE_RESPONSES if status == "completed" else None,
    }


# --- upstream answers: streams (SSE events as (name, payload)) ------------------------------


def chat_events() -> list[tuple[str | None, Any]]:
    base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1_700_000_000}
    base["model"] = MODELS["chat"]
    events: list[tuple[str | None, Any]] = []
    for n, piece in enumerate(_pieces()):
        delta = {"role": "assistant", "content": piece} if n == 0 else {"content": piece}
        events.append((None, {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}))
    events.append((None, {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    events.append((None, {**base, "choices": [], "usage": USAGE_CHAT}))
    return [*events, (None, "[DONE]")]


def anthropic_events() -> list[tuple[str | None, Any]]:
    start = {**anthropic_json(), "content": [], "stop_reason": None, "usage": {"input_tokens": 12}}
    events: list[tuple[str | None, Any]] = [
        ("message_start", {"type": "message_start", "message": start}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": _text("")}),
    ]
    for piece in _pieces():
        delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}
        events.append(("content_block_delta", delta))
    stop = {"stop_reason": "end_turn", "stop_sequence": None}
    return [
        *events,
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": stop, "usage": {"output_tokens": 20}}),
        ("message_stop", {"type": "message_stop"}),
    ]


def _text(text: str) -> dict[str, str]:
    return {"type": "text", "text": text}


def responses_events() -> list[tuple[str | None, Any]]:
    at = {"item_id": "msg_bench", "output_index": 0, "content_index": 0}
    part = {"type": "output_text", "text": TEXT, "annotations": []}
    events: list[tuple[str, dict[str, Any]]] = [
        ("response.created", {"response": responses_json("in_progress", [])}),
        ("response.in_progress", {"response": responses_json("in_progress", [])}),
        ("response.output_item.added", {"output_index": 0, "item": _responses_message("in_progress", None)}),
        ("response.content_part.added", {**at, "part": {**part, "text": ""}}),
    ]
    events += [("response.output_text.delta", {**at, "delta": piece}) for piece in _pieces()]
    events += [
        ("response.output_text.done", {**at, "text": TEXT}),
        ("response.content_part.done", {**at, "part": part}),
        ("response.output_item.done", {"output_index": 0, "item": _responses_message("completed", TEXT)}),
        ("response.completed", {"response": responses_json()}),
    ]
    return [(name, {"type": name, **data, "sequence_number": n}) for n, (name, data) in enumerate(events)]


def sse_chunks(events: list[tuple[str | None, Any]]) -> list[bytes]:
    """One SSE message per event, as the bytes of one stream chunk."""
    chunks = []
    for name, data in events:
        payload = data.encode() if isinstance(data, str) else orjson.dumps(data)
        prefix = b"event: " + name.encode() + b"\n" if name else b""
        chunks.append(prefix + b"data: " + payload + b"\n\n")
    return chunks


# --- client requests ------------------------------------------------------------------------

_SYSTEM = "You are a terse assistant."
_ASK = "Count to twenty, one word at a time."


def chat_request(model: str, stream: bool) -> bytes:
    body: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": _ASK}],
        "max_tokens": 256,
    }
    if stream:
        body |= {"stream": True, "stream_options": {"include_usage": True}}
    return orjson.dumps(body)


def anthropic_request(model: str, stream: bool) -> bytes:
    body = {
        "model": model,
        "max_tokens": 1024,
        "system": _SYSTEM,
        "messages": [{"role": "user", "content": _ASK}],
        "stream": stream,
    }
    return orjson.dumps(body)


def claude_code_request(model: str) -> bytes:
    """The captured Claude Code request (12 tools, ~88 KB), asking for `model`."""
    body = orjson.loads(CLAUDE_CODE.read_bytes())["body"]
    return orjson.dumps({**body, "model": model})
