"""The conversation as the Anthropic API requires it, from IR messages.

- Roles alternate: consecutive messages of one role are merged, and a conversation
  that does not open with a user turn gets a short placeholder user turn first.
- Every tool call is answered in the next user turn, results first, as the API wants.
  A call left unanswered (a client that cancelled it) gets an error result saying so; a
  result that answers no call of the turn before is sent as text instead.
- Tool call ids match `^[a-zA-Z0-9_-]{1,64}$`: other ids are rewritten the same way
  every time (`tool_id`), so a call and its result still match.
- System text in mid-conversation is sent as `role: "system"` only for an Anthropic
  client (which sent it so, with the beta header that allows it). For any other client
  it is folded, wrapped in `<system-reminder>` tags the way Claude Code itself writes
  such notes, into the user turn at its place: the system prompt, and so its cache,
  stays the same from turn to turn.
- A thinking part goes back only when `ir.reasoning.keep_for` allows it, and only signed.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Any

from dragoman.dialects.anthropic.content import render_part, render_text
from dragoman.ir.messages import Message, Text, Thinking
from dragoman.ir.reasoning import keep_for
from dragoman.ir.request import Request

# Request.extras key under which the parser keeps message fields the IR has no home
# for (Claude Code's per-turn `output_config`), as [index, role, fields] triples.
MESSAGE_FIELDS = "anthropic:message_fields"

PLACEHOLDER_TURN = "Continue."
UNANSWERED = "The tool call was not answered."

_VALID_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_INVALID_ID_CHARS = re.compile(r"[^a-zA-Z0-9_-]")
_THINKING_BLOCKS = ("thinking", "redacted_thinking")


@lru_cache(maxsize=4096)
def tool_id(raw: str) -> str:
    """`raw` if Anthropic accepts it, else a stable rewrite of it (a hash keeps rewrites apart)."""
    if _VALID_ID.fullmatch(raw):
        return raw
    digest = hashlib.sha256(raw.encode()).hexdigest()[:12]
    return f"{_INVALID_ID_CHARS.sub('_', raw)[:51]}_{digest}"


def render_messages(request: Request, *, origin: str) -> list[dict[str, Any]]:
    native = request.source == "anthropic"
    fields = _message_fields(request) if native else {}
    turns: list[dict[str, Any]] = []
    for index, message in enumerate(request.messages):
        turn = _render_message(message, origin=origin, native=native)
        if turn is None:
            continue
        role, extra = fields.get(index, (None, None))
        if extra and role == message.role:
            turn = {**extra, **turn}
        _append(turns, turn)
    _pair_tool_results(turns)
    if not turns or turns[0]["role"] == "assistant":
        turns.insert(0, {"role": "user", "content": [{"type": "text", "text": PLACEHOLDER_TURN}]})
    return turns


def needs_thinking_off(turns: list[dict[str, Any]]) -> bool:
    """Whether the last assistant turn calls tools without opening with its thinking.

    With thinking on, the API rejects such a request; the signed thinking is missing
    when it came from another upstream or the client dropped it.
    """
    for turn in reversed(turns):
        if turn["role"] == "assistant":
            content = turn["content"]
            calls = any(block["type"] == "tool_use" for block in content)
            return calls and content[0]["type"] not in _THINKING_BLOCKS
    return False


def settle_final_turn(turns: list[dict[str, Any]], *, thinking_on: bool) -> None:
    """Make a final assistant turn (a prefill) acceptable: no trailing whitespace, and no
    thinking blocks when thinking is off."""
    if not turns or turns[-1]["role"] != "assistant":
        return
    content = turns[-1]["content"]
    if not thinking_on:
        content[:] = [block for block in content if block["type"] not in _THINKING_BLOCKS]
    if content and content[-1]["type"] == "text":
        text = content[-1]["text"].rstrip()
        if text:
            content[-1] = {**content[-1], "text": text}
        else:
            content.pop()
    if not content:
        turns.pop()


def _render_message(message: Message, *, origin: str, native: bool) -> dict[str, Any] | None:
    if message.role == "system":
        return _render_system(message, native=native)
    content: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, Thinking) and (
            message.role != "assistant" or not keep_for(part, origin, same_dialect=native)
        ):
            continue
        block = render_part(part, tool_id, native=native)
        if block is not None:
            content.append(block)
    return {"role": message.role, "content": content} if content else None


def _render_system(message: Message, *, native: bool) -> dict[str, Any] | None:
    texts = [part for part in message.parts if isinstance(part, Text) and part.text]
    if not native:
        texts = [
            Text(f"<system-reminder>\n{part.text}\n</system-reminder>", part.cache_control) for part in texts
        ]
    content = [block for block in map(render_text, texts) if block is not None]
    if not content:
        return None
    return {"role": "system" if native else "user", "content": content}


def _append(turns: list[dict[str, Any]], turn: dict[str, Any]) -> None:
    last = turns[-1] if turns else None
    if last is not None and last["role"] == turn["role"] != "system":
        last["content"].extend(turn["content"])
    else:
        turns.append(turn)


def _pair_tool_results(turns: list[dict[str, Any]]) -> None:
    asked: list[str] = []
    for turn in turns:
        if turn["role"] == "user":
            turn["content"] = _answer(turn["content"], asked)
            asked = []
        elif turn["role"] == "assistant":
            asked = [block["id"] for block in turn["content"] if block["type"] == "tool_use"]


def _answer(content: list[dict[str, Any]], asked: list[str]) -> list[dict[str, Any]]:
    """The user turn after calls `asked`: their results first, in the API's terms."""
    results: dict[str, dict[str, Any]] = {}
    others: list[dict[str, Any]] = []
    for block in content:
        if (
            block["type"] == "tool_result"
            and block["tool_use_id"] in asked
            and block["tool_use_id"] not in results
        ):
            results[block["tool_use_id"]] = block
        elif block["type"] == "tool_result":
            others.append(_as_text(block))
        else:
            others.append(block)
    for call in asked:
        if call not in results:
            results[call] = {
                "type": "tool_result",
                "tool_use_id": call,
                "content": UNANSWERED,
                "is_error": True,
            }
    return [*results.values(), *others]


def _as_text(result: dict[str, Any]) -> dict[str, Any]:
    content = result.get("content", "")
    if isinstance(content, list):
        content = "\n".join(block["text"] for block in content if block["type"] == "text")
    return {"type": "text", "text": f"[result of tool call {result['tool_use_id']}]\n{content}"}


def _message_fields(request: Request) -> dict[int, tuple[str, dict[str, Any]]]:
    entries = request.extras.get(MESSAGE_FIELDS)
    if not isinstance(entries, list):
        return {}
    return {index: (role, fields) for index, role, fields in entries}
