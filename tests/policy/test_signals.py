"""What the classifier reads from a request: the user's own words, not a client's
injected context; tool trajectories; images inside tool results."""

from __future__ import annotations

from dragoman.ir.messages import Image, Message, Text, ToolCall, ToolResult
from dragoman.ir.request import Reasoning, Request
from dragoman.policy.signals import signals


def _user(*parts: object) -> Message:
    return Message("user", list(parts))  # type: ignore[arg-type]


def test_injected_context_blocks_are_not_the_users_words() -> None:
    reminder = Text("<system-reminder>\nProve it step by step, debug and design.\n</system-reminder>")
    found = signals(Request(model="auto", messages=[_user(reminder, Text("Reply with OK"))]))
    assert not (found.reasoning_marker or found.analysis_marker or found.multi_step)


def test_markers_code_and_steps_are_read_from_the_last_user_message() -> None:
    text = "First prove the lemma, then debug this:\n```\nx = f()\n```"
    found = signals(Request(model="auto", messages=[_user(Text(text))]))
    assert found.reasoning_marker and found.analysis_marker and found.code and found.multi_step


def test_failing_and_repeated_tool_calls() -> None:
    call = ToolCall(id="c1", name="bash", arguments='{"cmd": "make"}')
    again = ToolCall(id="c2", name="bash", arguments='{"cmd": "make"}')
    messages = [
        _user(Text("build it")),
        Message("assistant", [call]),
        _user(ToolResult(call_id="c1", content=[Text("error")], is_error=True)),
        Message("assistant", [again]),
        _user(ToolResult(call_id="c2", content=[Text("error")], is_error=True)),
    ]
    found = signals(Request(model="auto", messages=messages))
    assert found.repeated_call and found.failing_calls and found.depth == 5


def test_images_in_tool_results_and_reasoning_asked() -> None:
    image = Image(data="AAAA", media_type="image/png")
    messages = [_user(ToolResult(call_id="c1", content=[image]))]
    found = signals(Request(model="auto", messages=messages, reasoning=Reasoning(effort="high")))
    assert found.images == 1 and found.reasoning_asked
    off = signals(Request(model="auto", messages=messages, reasoning=Reasoning(enabled=False, effort="high")))
    assert not off.reasoning_asked


def test_markers_are_counted_by_distinct_cue() -> None:
    def found(text: str) -> tuple[int, int]:
        read = signals(Request(model="auto", messages=[_user(Text(text))]))
        return read.reasoning_marker, read.analysis_marker

    assert found("Prove it; the proof may be short. Why? Why not?") == (1, 1)  # prove/proof, why twice
    assert found("Prove the bound, then derive the constant. Why, and compare with the design.") == (2, 3)
    assert found("Reply with OK") == (0, 0)
