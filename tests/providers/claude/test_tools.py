"""Tool names in Claude Code's style on the way out, the client's own on the way back."""

from __future__ import annotations

from dragoman.ir.messages import Message, Text, ToolCall, ToolResult
from dragoman.ir.request import Request
from dragoman.ir.tools import Tool, ToolChoice
from dragoman.providers.claude.tools import ACCEPTED, claude_code_name, rename_tools
from tests.fakes.claude_oauth import TOOL_NAME


def tool(name: str, **fields: object) -> Tool:
    return Tool(name=name, parameters={"type": "object", "properties": {}}, **fields)  # type: ignore[arg-type]


def conversation(*names: str) -> Request:
    calls = [ToolCall(id=f"call_{i}", name=name, arguments="{}") for i, name in enumerate(names)]
    results = [
        ToolResult(call_id=f"call_{i}", name=name, content=[Text("ok")]) for i, name in enumerate(names)
    ]
    return Request(
        model="claude-sonnet-4-5",
        messages=[
            Message(role="user", parts=[Text("go")]),
            Message(role="assistant", parts=list(calls)),
            Message(role="user", parts=list(results)),
        ],
        tools=[tool(name) for name in names],
    )


def test_claude_code_and_mcp_names_pass_untouched() -> None:
    request = conversation("Read", "TodoWrite", "mcp__github__create_issue")
    renamed, names = rename_tools(request)
    assert renamed is request and names == {}


def test_other_names_become_claude_code_style_everywhere_and_map_back() -> None:
    request = conversation("read_file", "get_weather")
    request.tool_choice = ToolChoice(mode="tool", name="get_weather", allowed=["read_file"])
    renamed, names = rename_tools(request)
    assert [t.name for t in renamed.tools] == ["ReadFile", "GetWeather"]
    assert [p.name for p in renamed.messages[1].parts] == ["ReadFile", "GetWeather"]
    assert [p.name for p in renamed.messages[2].parts] == ["ReadFile", "GetWeather"]
    assert renamed.tool_choice == ToolChoice(mode="tool", name="GetWeather", allowed=["ReadFile"])
    assert names == {"ReadFile": "read_file", "GetWeather": "get_weather"}
    # The client's request is not changed under it.
    assert [t.name for t in request.tools] == ["read_file", "get_weather"]


def test_a_claude_code_tool_in_another_spelling_becomes_that_tool() -> None:
    renamed, names = rename_tools(conversation("todo_write", "bash", "web-fetch"))
    assert {t.name for t in renamed.tools} == {"TodoWrite", "Bash", "WebFetch"}
    assert names["Bash"] == "bash"


def test_clashes_and_long_names_stay_distinct_and_valid() -> None:
    long = "a_very_" * 12 + "long_tool_name"
    renamed, names = rename_tools(conversation("Read", "read", "Read_", long))
    sent = [t.name for t in renamed.tools]
    assert len(set(sent)) == 4 and sent[0] == "Read"
    assert all(TOOL_NAME.match(name) and len(name) <= 64 for name in sent)
    assert {names.get(name, name) for name in sent} == {"Read", "read", "Read_", long}


def test_names_without_a_leading_letter_still_start_with_a_capital() -> None:
    assert claude_code_name("3d_render", set()) == "Tool3dRender"
    assert claude_code_name("___", set()) == "Tool"
    assert ACCEPTED.match(claude_code_name("émoji-tool", set()))


def test_the_same_names_come_out_every_turn() -> None:
    first, _ = rename_tools(conversation("zeta", "alpha", "Alpha"))
    again, _ = rename_tools(conversation("alpha", "Alpha", "zeta"))
    assert {t.name for t in first.tools} == {t.name for t in again.tools}


def test_hosted_tools_keep_their_names() -> None:
    hosted = Tool(name="web_search", type="native", raw={"type": "web_search_20250305", "name": "web_search"})
    request = Request(model="m", messages=[Message(role="user", parts=[Text("hi")])], tools=[hosted])
    renamed, names = rename_tools(request)
    assert renamed.tools[0].name == "web_search" and names == {}
