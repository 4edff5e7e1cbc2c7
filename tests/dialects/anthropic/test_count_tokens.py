"""count_tokens: the same body as Messages without max_tokens, answered with a count."""

from __future__ import annotations

import pytest

from dragoman.dialects.anthropic import count_tokens
from dragoman.ir.errors import InvalidRequest, UpstreamError
from dragoman.ir.messages import Message, Text
from dragoman.ir.request import Reasoning, Request


def test_parse_needs_no_max_tokens_but_checks_the_rest() -> None:
    parsed = count_tokens.parse(
        {"model": "m", "messages": [{"role": "user", "content": "hi"}], "system": "s"}
    )
    assert parsed.messages == [Message("user", [Text("hi")])]
    assert parsed.system == [Text("s")]
    with pytest.raises(InvalidRequest, match="messages"):
        count_tokens.parse({"model": "m"})


def test_render_the_answer() -> None:
    assert count_tokens.render(42) == {"input_tokens": 42}


def test_the_upstream_call_sends_only_what_count_tokens_takes() -> None:
    asked = Request(
        model="m",
        messages=[Message("user", [Text("hi")])],
        temperature=0.5,
        stream=True,
        reasoning=Reasoning(enabled=True, budget_tokens=2048),
    )
    body = count_tokens.render_upstream(asked, model="claude-sonnet-4-5", origin="claude")
    assert set(body) == {"model", "messages", "thinking"}
    assert count_tokens.upstream_path("claude-sonnet-4-5") == "/messages/count_tokens"
    assert count_tokens.parse_upstream({"input_tokens": 9}) == 9
    with pytest.raises(UpstreamError):
        count_tokens.parse_upstream({"tokens": 9})
