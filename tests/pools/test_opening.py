"""Keys derived from a conversation's opening: stable across its turns, distinct across
conversations, and blind to what clients change between turns."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson

from dragoman.pools import opening
from dragoman.pools.opening import SAMPLE, opening_key
from tests.captures import load_all

CAPTURES = {capture.name: capture for capture in load_all()}
CLAUDE_TOOL_TURN_1 = CAPTURES["claude-code/02-anthropic.messages.stream"].body
CLAUDE_TOOL_TURN_2 = CAPTURES["claude-code/03-anthropic.messages.stream"].body


def test_claude_codes_moving_cache_marks_do_not_change_the_key() -> None:
    assert orjson.dumps(CLAUDE_TOOL_TURN_1["messages"][0]) != orjson.dumps(CLAUDE_TOOL_TURN_2["messages"][0])
    assert opening_key(CLAUDE_TOOL_TURN_1, "anthropic") == opening_key(CLAUDE_TOOL_TURN_2, "anthropic")


def test_the_billing_block_is_left_out() -> None:
    body = copy.deepcopy(CLAUDE_TOOL_TURN_1)
    body["system"][0]["text"] = (
        "x-anthropic-billing-header: cc_version=2.1.329.908; cc_entrypoint=cli; cch=4f2a1;"
    )
    assert opening_key(body, "anthropic") == opening_key(CLAUDE_TOOL_TURN_1, "anthropic")


def test_another_system_prompt_is_another_conversation() -> None:
    body = copy.deepcopy(CLAUDE_TOOL_TURN_1)
    body["system"][1]["text"] += " "
    assert opening_key(body, "anthropic") != opening_key(CLAUDE_TOOL_TURN_1, "anthropic")


def test_the_end_of_a_long_first_turn_counts() -> None:
    base = {"messages": [{"role": "user", "content": "a" * 10_000 + "question one"}]}
    other = {"messages": [{"role": "user", "content": "a" * 10_000 + "question two"}]}
    assert opening_key(base, "openai_chat") != opening_key(other, "openai_chat")


def test_the_length_of_a_long_piece_counts() -> None:
    base = {"messages": [{"role": "user", "content": "a" * 5000}]}
    longer = {"messages": [{"role": "user", "content": "a" * 5001}]}
    assert opening_key(base, "openai_chat") != opening_key(longer, "openai_chat")


def test_the_middle_of_a_long_piece_is_not_read() -> None:
    """The price of a constant cost: a change between the sampled ends goes unseen."""
    text = "h" * SAMPLE + "middle" + "t" * SAMPLE
    changed = "h" * SAMPLE + "MIDDLE" + "t" * SAMPLE
    first = {"messages": [{"role": "user", "content": text}]}
    assert opening_key(first, "openai_chat") == opening_key(
        {"messages": [{"role": "user", "content": changed}]}, "openai_chat"
    )


def chat(*messages: dict[str, Any]) -> dict[str, Any]:
    return {"model": "m", "messages": list(messages)}


def test_later_turns_do_not_change_the_key() -> None:
    opening = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]
    later = [*opening, {"role": "assistant", "content": "hello"}, {"role": "user", "content": "more"}]
    assert opening_key(chat(*opening), "openai_chat") == opening_key(chat(*later), "openai_chat")


def test_images_count_by_their_data() -> None:
    def with_image(data: str) -> dict[str, Any]:
        part = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}}
        return chat({"role": "user", "content": [{"type": "text", "text": "what is this"}, part]})

    assert opening_key(with_image("A" * 4000), "openai_chat") != opening_key(
        with_image("B" * 4000), "openai_chat"
    )
    anthropic_image = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "QUJD"},
    }
    other = {**anthropic_image, "source": {**anthropic_image["source"], "data": "REVG"}}
    first = {"messages": [{"role": "user", "content": [anthropic_image]}]}
    assert opening_key(first, "anthropic") != opening_key(
        {"messages": [{"role": "user", "content": [other]}]}, "anthropic"
    )


def test_responses_openings() -> None:
    plain = {"instructions": "be brief", "input": "hi"}
    items = {
        "instructions": "be brief",
        "input": [{"role": "user", "content": [{"type": "input_text", "text": "hi"}]}],
    }
    assert opening_key(plain, "openai_responses") == opening_key(items, "openai_responses")
    answered = copy.deepcopy(items)
    answered["input"] += [
        {"type": "function_call", "call_id": "c1", "name": "ls", "arguments": "{}"},
        {"role": "user", "content": "changed later"},
    ]
    assert opening_key(answered, "openai_responses") == opening_key(items, "openai_responses")


def test_gemini_openings_and_the_code_assist_wrapper() -> None:
    body = {"systemInstruction": {"parts": [{"text": "sys"}]}, "contents": [{"parts": [{"text": "hi"}]}]}
    assert opening_key({"model": "gemini-2.5-pro", "request": body}, "gemini") == opening_key(body, "gemini")
    cached = {**body, "cachedContent": "cachedContents/abc"}
    assert opening_key(cached, "gemini") != opening_key(body, "gemini")
    inline = {
        "contents": [{"role": "user", "parts": [{"inlineData": {"mimeType": "image/png", "data": "QUJD"}}]}]
    }
    assert opening_key(inline, "gemini") is not None


def test_no_opening_no_key() -> None:
    assert opening_key({"messages": []}, "openai_chat") is None
    assert opening_key({"messages": [{"role": "assistant", "content": "hi"}]}, "openai_chat") is None
    assert opening_key({"contents": "oops"}, "gemini") is None
    assert opening_key(["not", "a", "body"], "anthropic") is None
    assert opening_key({"input": "hi"}, "kiro") is None


def test_the_key_is_the_same_in_every_process() -> None:
    """SHA-256, not hash(): workers started with other hash seeds derive the same key."""
    code = (
        "from dragoman.pools.opening import opening_key\n"
        "print(opening_key({'input': 'hi'}, 'openai_responses'))"
    )
    src = str(Path(opening.__file__).parents[2])
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": src}
        done = subprocess.run(
            [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
        )
        assert done.stdout.strip() == opening_key({"input": "hi"}, "openai_responses")
