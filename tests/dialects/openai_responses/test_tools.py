from __future__ import annotations

import logging

import pytest

from dragoman.dialects.openai_responses import tools
from dragoman.ir import Request, Tool, ToolChoice
from dragoman.ir.errors import InvalidRequest

NAMESPACE = {
    "type": "namespace",
    "name": "multi_agent_v1",
    "description": "Sub-agents.",
    "tools": [
        {
            "type": "function",
            "name": "spawn_agent",
            "description": "Spawn.",
            "parameters": {"type": "object"},
        },
        {"type": "custom", "name": "script", "format": {"type": "text"}},
    ],
}


def test_function_custom_and_native_tools() -> None:
    parsed = tools.parse_tools(
        [
            {
                "type": "function",
                "name": "f",
                "description": "d",
                "parameters": {"type": "object"},
                "strict": False,
            },
            {
                "type": "custom",
                "name": "apply_patch",
                "format": {"type": "grammar", "syntax": "lark", "definition": "x"},
            },
            {"type": "web_search", "external_web_access": False},
        ],
        "tools",
    )
    assert parsed[0] == Tool(name="f", description="d", parameters={"type": "object"}, strict=False)
    assert parsed[1].type == "custom" and parsed[1].format == {
        "type": "grammar",
        "syntax": "lark",
        "definition": "x",
    }
    assert parsed[2] == Tool(
        name="web_search",
        type="native",
        raw={"type": "web_search", "external_web_access": False},
        dialect="openai_responses",
    )


def test_namespace_members_become_flat_tools_and_regroup() -> None:
    parsed = tools.parse_tools([NAMESPACE], "tools")
    assert [(t.name, t.type) for t in parsed] == [
        ("multi_agent_v1__spawn_agent", "function"),
        ("multi_agent_v1__script", "custom"),
    ]
    assert parsed[0].description == "Sub-agents.\n\nSpawn."
    request = Request(model="m", tools=parsed, source="openai_responses")
    assert tools.render_tools(request) == [NAMESPACE]
    assert tools.split_name("multi_agent_v1__spawn_agent", request) == ("multi_agent_v1", "spawn_agent")


def test_default_namespace_members_keep_plain_names() -> None:
    functions = {
        "type": "namespace",
        "name": "functions",
        "description": "",
        "tools": [{"type": "custom", "name": "exec"}],
    }
    parsed = tools.parse_tools([functions], "tools")
    request = Request(model="m", tools=parsed)
    assert parsed[0].name == "exec" and parsed[0].description is None
    assert tools.split_name("exec", request) == (None, "exec")
    assert tools.render_tools(request) == [functions]


def test_undeclared_namespaced_names_split_at_the_last_separator() -> None:
    request = Request(model="m", tools=[Tool(name="mcp__github__create_issue")])
    assert tools.split_name("mcp__codex_apps__gmail__get_mail", request) == (
        "mcp__codex_apps__gmail",
        "get_mail",
    )
    assert tools.split_name("mcp__github__create_issue", request) == (None, "mcp__github__create_issue")
    assert tools.split_name("plain", None) == (None, "plain")


def test_foreign_native_tools_are_dropped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    native = Tool(name="google_search", type="native", raw={"googleSearch": {}}, dialect="gemini")
    with caplog.at_level(logging.WARNING, logger="dragoman.dialects"):
        assert tools.render_tools(Request(model="m", tools=[native])) == []
    assert "google_search" in caplog.text


def test_namespace_may_only_hold_callable_tools() -> None:
    bad = {"type": "namespace", "name": "n", "tools": [{"type": "web_search"}]}
    with pytest.raises(InvalidRequest, match=r"tools\[0\]\.tools\[0\]"):
        tools.parse_tools([bad], "tools")


@pytest.mark.parametrize(
    ("wire", "choice"),
    [
        ("auto", ToolChoice("auto")),
        ("none", ToolChoice("none")),
        ("required", ToolChoice("required")),
        ({"type": "function", "name": "f"}, ToolChoice("tool", "f")),
        ({"type": "custom", "name": "apply_patch"}, ToolChoice("tool", "apply_patch")),
        ({"type": "web_search"}, ToolChoice("tool", "web_search")),
        (
            {"type": "allowed_tools", "mode": "required", "tools": [{"type": "function", "name": "f"}]},
            ToolChoice("required", allowed=["f"]),
        ),
    ],
)
def test_tool_choice_both_ways(wire: object, choice: ToolChoice) -> None:
    declared = [
        Tool(name="f"),
        Tool(name="apply_patch", type="custom"),
        Tool(name="web_search", type="native", raw={"type": "web_search"}, dialect="openai_responses"),
    ]
    assert tools.parse_tool_choice(wire, "tool_choice") == choice
    assert tools.render_tool_choice(choice, Request(model="m", tools=declared)) == wire


def test_namespaced_tool_choice_names_its_namespace() -> None:
    request = Request(model="m", tools=tools.parse_tools([NAMESPACE], "tools"))
    choice = ToolChoice("tool", "multi_agent_v1__spawn_agent")
    assert tools.render_tool_choice(choice, request) == {
        "type": "function",
        "name": "spawn_agent",
        "namespace": "multi_agent_v1",
    }
