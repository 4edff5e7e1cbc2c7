"""Ids in the client dialect's own form, and tool call ids that come back to the
upstream as it issued them (`dialects.ids`)."""

from __future__ import annotations

import itertools

import pytest

from dragoman import dialects
from dragoman.dialects.ids import (
    CALL_PREFIXES,
    RESPONSE_PREFIXES,
    client_call_id,
    client_response_id,
    for_upstream,
    upstream_call_id,
)
from dragoman.ir.messages import Message, Text, ToolCall, ToolResult
from dragoman.ir.request import Request

DIALECTS = list(CALL_PREFIXES)
# Ids as each upstream dialect issues them (Gemini's own, or the one dragoman minted).
ISSUED = {
    "openai_chat": ["call_abc123", "call_x"],
    "openai_responses": ["call_Q9", "fc_odd"],
    "anthropic": ["toolu_01W3ath3r", "toolu_x"],
    "gemini": ["call_5e1f", "read_file_1795239957751_0", "abc"],
}


def test_response_ids_keep_the_upstreams_only_in_the_clients_form() -> None:
    assert client_response_id("chatcmpl-abc", "openai_chat") == "chatcmpl-abc"
    assert client_response_id("resp_abc", "openai_responses") == "resp_abc"
    assert client_response_id("msg_01abc", "anthropic") == "msg_01abc"
    for upstream_id in ("resp_abc", "msg_01", "chatcmpl-", "", "9f2c0e"):
        for client in ("openai_chat", "openai_responses", "anthropic"):
            made = client_response_id(upstream_id, client)
            prefix = RESPONSE_PREFIXES[client]
            if upstream_id.startswith(prefix) and upstream_id != prefix:
                assert made == upstream_id
            else:
                assert made.startswith(prefix) and len(made) == len(prefix) + 24


@pytest.mark.parametrize(("client", "upstream"), list(itertools.product(DIALECTS, DIALECTS)))
def test_a_call_id_goes_to_the_client_in_its_form_and_comes_back_as_issued(
    client: str, upstream: str
) -> None:
    for issued in ISSUED[upstream]:
        seen = client_call_id(issued, client)
        assert seen.startswith(CALL_PREFIXES[client])
        assert seen == issued or not issued.startswith(CALL_PREFIXES[client])
        assert upstream_call_id(seen, client) == issued


def test_ids_a_client_made_itself_pass_unchanged() -> None:
    assert upstream_call_id("toolu_01Claude", "anthropic") == "toolu_01Claude"
    assert upstream_call_id("call_abc", "openai_chat") == "call_abc"
    assert upstream_call_id("call_dgm_", "openai_chat") == "call_dgm_"
    assert upstream_call_id("call_dgm_x", "gemini") == "call_dgm_x"  # Gemini ids are never marked


def test_for_upstream_rewrites_calls_and_their_results_alike() -> None:
    marked = "call_dgm_toolu_01A"
    request = Request(
        model="m",
        source="openai_chat",
        messages=[
            Message("user", [Text("hi")]),
            Message("assistant", [ToolCall(marked, "f", "{}"), ToolCall("call_mine", "g", "{}")]),
            Message("user", [ToolResult(marked, [Text("1")]), ToolResult("call_mine", [Text("2")])]),
        ],
    )
    rewritten = for_upstream(request)
    assert [part.id for part in rewritten.messages[1].parts] == ["toolu_01A", "call_mine"]  # type: ignore[union-attr]
    assert [part.call_id for part in rewritten.messages[2].parts] == ["toolu_01A", "call_mine"]  # type: ignore[union-attr]
    assert request.messages[1].parts[0].id == marked  # type: ignore[union-attr]
    assert rewritten.messages[0] is request.messages[0]
    gemini = Request(model="m", source="gemini", messages=request.messages)
    assert for_upstream(gemini) is gemini


@pytest.mark.parametrize("upstream", DIALECTS)
def test_every_upstream_renderer_sends_the_issued_ids(upstream: str) -> None:
    issued = ISSUED["anthropic"][0]
    seen = client_call_id(issued, "openai_chat")
    body = dialects.get("openai_chat").request.parse(
        {
            "model": "m",
            "messages": [
                {"role": "user", "content": "weather?"},
                {
                    "role": "assistant",
                    "tool_calls": [{"id": seen, "function": {"name": "f", "arguments": "{}"}}],
                },
                {"role": "tool", "tool_call_id": seen, "content": "18C"},
            ],
        }
    )
    assert seen == "call_dgm_" + issued
    rendered = str(dialects.get(upstream).request.render(body, model="m", origin="up"))
    assert rendered.count(repr(issued)) == 2, rendered
    assert "dgm_" not in rendered
