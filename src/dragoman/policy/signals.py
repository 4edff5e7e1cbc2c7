"""What a request shows about how hard it is, read locally from the IR request.

Each signal is cheap: the token estimate of `ir.tokens` (what count_tokens answers),
counts, and one pass of a compiled pattern over the end of the user's last words
(at most `SCANNED` characters: an 88 KB agent request reads no more than a short one).
Reasoning and analysis markers are counted by distinct cue (a cue is a match's first
three letters, so "prove" and "proof" are one): a request that names several is about
reasoning or analysis, where one mention may be incidental.
Text blocks a client injects as context (`<system-reminder>`, `<session_context>`)
are not the user's words and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dragoman.ir.messages import Image, Message, Text, ToolCall, ToolResult
from dragoman.ir.request import Request
from dragoman.ir.tokens import CHARS_PER_TOKEN, estimate

SCANNED = 4000
# The last tool calls looked at for a repeated or failing call.
TRAJECTORY = 8

CODE = re.compile(r"```|\bdef |\bfunction\b|\bclass \w|#include|\bimport \w|=>|\w\(\)|;\s*$", re.MULTILINE)
REASONING = re.compile(
    r"\b(prove|proof|derive|step[- ]by[- ]step|think (?:hard|carefully|deeply)|ultrathink|reason through"
    r"|rigorous|theorem|formal(?:ly)? verif)",
    re.IGNORECASE,
)
ANALYSIS = re.compile(
    r"\b(why|analy[sz]e|debug|trade-?offs?|architect\w*|design|optimi[sz]e|refactor|compare|investigate"
    r"|root cause|plan)\b",
    re.IGNORECASE,
)
MULTI_STEP = re.compile(
    r"\b(first|then|finally|after that|next)\b|^\s*\d+[.)] ", re.IGNORECASE | re.MULTILINE
)


@dataclass(frozen=True, slots=True)
class Signals:
    tokens: int
    tools: int
    images: int
    code: bool
    # How many distinct cues of each kind the user's words hold.
    reasoning_marker: int
    analysis_marker: int
    multi_step: bool
    reasoning_asked: bool
    system_tokens: int
    depth: int
    # The last tool call is one made before with the same arguments.
    repeated_call: bool
    # The last two tool results are errors.
    failing_calls: bool


def signals(request: Request, tokens: int | None = None) -> Signals:
    """Everything `classify` scores, read in one pass over what it needs; `tokens`, when
    given, is the request's estimate already made (`ir.tokens.estimate`)."""
    words = _user_words(request.messages)
    calls, results = _trajectory(request.messages)
    return Signals(
        tokens=estimate(request) if tokens is None else tokens,
        tools=len(request.tools),
        images=_images(request.messages),
        code=CODE.search(words) is not None,
        reasoning_marker=_cues(REASONING, words),
        analysis_marker=_cues(ANALYSIS, words),
        multi_step=len(MULTI_STEP.findall(words)) >= 2,
        reasoning_asked=_reasoning_asked(request),
        system_tokens=sum(len(block.text) for block in request.system) // CHARS_PER_TOKEN,
        depth=len(request.messages),
        repeated_call=bool(calls) and calls[-1] in calls[:-1],
        failing_calls=len(results) >= 2 and all(results[-2:]),
    )


def _cues(pattern: re.Pattern[str], words: str) -> int:
    return len({match.lower()[:3] for match in pattern.findall(words)})


def has_images(request: Request) -> bool:
    return _images(request.messages) > 0


def _user_words(messages: list[Message]) -> str:
    """The end of the last user message's own text (no injected context blocks)."""
    for message in reversed(messages):
        if message.role != "user":
            continue
        texts = [part.text for part in message.parts if isinstance(part, Text) and not _injected(part.text)]
        return "\n".join(texts)[-SCANNED:]
    return ""


def _injected(text: str) -> bool:
    # A client's context block (`<system-reminder>`, `<session_context>`), not the user's words.
    return text.startswith("<") and text[1:2].isalpha()


def _images(messages: list[Message]) -> int:
    count = 0
    for message in messages:
        for part in message.parts:
            if isinstance(part, Image):
                count += 1
            elif isinstance(part, ToolResult):
                count += sum(isinstance(inner, Image) for inner in part.content)
    return count


def _trajectory(messages: list[Message]) -> tuple[list[tuple[str, str]], list[bool]]:
    """The last tool calls as (name, arguments), and whether each of the last results failed."""
    calls: list[tuple[str, str]] = []
    results: list[bool] = []
    for message in messages[-2 * TRAJECTORY :]:
        for part in message.parts:
            if isinstance(part, ToolCall):
                calls.append((part.name, part.arguments))
            elif isinstance(part, ToolResult):
                results.append(part.is_error)
    return calls[-TRAJECTORY:], results


def _reasoning_asked(request: Request) -> bool:
    reasoning = request.reasoning
    if reasoning is None or reasoning.enabled is False:
        return False
    return reasoning.effort in ("high", "xhigh", "max") or (reasoning.budget_tokens or 0) >= 16_000
