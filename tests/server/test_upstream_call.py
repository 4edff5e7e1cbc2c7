"""The call an upstream is sent, as `upstream_call.prepare` builds it for the relay: its
body held in a buffer of its own length for as long as the request may fail over."""

from __future__ import annotations

import tracemalloc

import orjson

from dragoman.config import ProviderConfig
from dragoman.ir.messages import Message, Text
from dragoman.ir.request import Request
from dragoman.providers.upstream import build_upstream
from dragoman.routing.registry import Route
from dragoman.server.upstream_call import prepare


def test_a_large_body_is_held_at_its_own_length() -> None:
    """orjson (3.12 on) leaves its output in a buffer up to twice as long, which every
    request in flight would hold: Claude Code's 88 kB requests at c=64 held 11 MiB more."""
    config = ProviderConfig(
        kind="openai_compatible", base_url="http://127.0.0.1:9/v1", api_key="sk-test-0000000000"
    )
    route = Route(build_upstream("chat", config, {}), "gpt-4.1")
    prompt = " ".join(f"word{n}" for n in range(12_000))  # a body of about 90 kB
    request = Request(
        model="gpt-4.1", messages=[Message(role="user", parts=[Text(prompt)])], source="openai_chat"
    )
    prepare(route, request)  # what a first call loads and keeps
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        call = prepare(route, request)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert orjson.loads(call.content)["messages"][0]["content"] == prompt
    assert held < len(call.content) + 16_384, f"{held} bytes held for a body of {len(call.content)}"
