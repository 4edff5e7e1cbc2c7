"""Every captured real request, parsed in its client's dialect and rendered for every
upstream dialect, loses no message, tool, tool call, tool result, image or system text.

The rendered body is read back with the upstream dialect's own parser, so the check is
on what the upstream would receive, not on dragoman's intermediate values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from dragoman import dialects
from dragoman.dialects import DIALECTS
from dragoman.ir import Image, Message, Request, Text, ToolCall, ToolResult
from dragoman.ir.names import constrain
from tests.captures import Capture, load_all

CAPTURES = [capture for capture in load_all() if capture.dialect]


def parse_client(capture: Capture) -> Request:
    parser = dialects.get(capture.dialect or "").request
    if capture.dialect == "gemini":
        return parser.parse(capture.body, model=capture.gemini_model, stream="stream" in capture.path)
    return parser.parse(capture.body)


def through(request: Request, target: str) -> tuple[Request, dict[str, str]]:
    """What the upstream receives, read back as IR, and the tool renames on the way."""
    module = dialects.get(target).request
    name_rule = getattr(module, "TOOL_NAMES", None)
    renamed, back = constrain(request, name_rule) if name_rule else (request, {})
    body = module.render(renamed, model="upstream-model", origin="upstream")
    if target == "gemini":
        return module.parse(body, model="upstream-model", stream=request.stream), back
    return module.parse(body), back


@dataclass
class Inventory:
    """What a conversation carries, in forms every dialect must preserve."""

    texts: list[str]
    tools: set[str]
    calls: list[tuple[str, Any]]
    results: list[str]
    images: int


def inventory(request: Request, back: dict[str, str] | None = None) -> Inventory:
    back = back or {}
    parts = [part for message in request.messages for part in message.parts]
    results = [part for part in parts if isinstance(part, ToolResult)]
    inner = [item for result in results for item in result.content]
    return Inventory(
        texts=[
            part.text
            for part in [*request.system, *parts, *inner]
            if isinstance(part, Text) and part.text.strip()
        ],
        tools={back.get(tool.name, tool.name) for tool in request.tools if tool.type != "native"},
        calls=[
            (back.get(part.name, part.name), part.arguments_object())
            for part in parts
            if isinstance(part, ToolCall)
        ],
        results=[_result_text(result) for result in results],
        images=sum(isinstance(part, Image) for part in [*parts, *inner]),
    )


def _result_text(result: ToolResult) -> str:
    return "".join(part.text for part in result.content if isinstance(part, Text))


def _all_text(request: Request) -> str:
    chunks = [block.text for block in request.system]
    for message in request.messages:
        chunks += _message_text(message)
    return "\n".join(chunks)


def _message_text(message: Message) -> list[str]:
    chunks = []
    for part in message.parts:
        if isinstance(part, Text):
            chunks.append(part.text)
        elif isinstance(part, ToolResult):
            chunks += [item.text for item in part.content if isinstance(item, Text)]
    return chunks


@pytest.mark.parametrize("target", sorted(DIALECTS))
@pytest.mark.parametrize("capture", CAPTURES, ids=lambda capture: capture.name)
def test_nothing_is_lost_on_the_way_to_any_upstream(capture: Capture, target: str) -> None:
    sent = parse_client(capture)
    received, back = through(sent, target)
    before, after = inventory(sent), inventory(received, back)
    everything = _all_text(received)
    missing = [text[:80] for text in before.texts if text.strip() not in everything]
    assert not missing, f"text lost on the way to {target}: {missing}"
    assert after.tools == before.tools
    assert after.calls == before.calls
    assert [text.strip() for text in after.results] == [text.strip() for text in before.results]
    assert after.images == before.images


def test_the_captures_cover_every_client_dialect() -> None:
    assert {capture.dialect for capture in CAPTURES} == set(DIALECTS)
