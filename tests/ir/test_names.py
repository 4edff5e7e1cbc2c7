from __future__ import annotations

from dragoman.ir import Message, Request, Text, Tool, ToolCall, ToolChoice, ToolResult
from dragoman.ir.names import constrain, rule

OPENAI = rule("a-zA-Z0-9_-", 64)


def request(*names: str) -> Request:
    return Request(
        model="m",
        tools=[Tool(name=name) for name in names],
        tool_choice=ToolChoice(mode="tool", name=names[0]),
        messages=[
            Message("assistant", [ToolCall("c1", names[0], "{}")]),
            Message("user", [ToolResult("c1", [Text("ok")], name=names[0])]),
        ],
    )


def test_valid_names_are_untouched() -> None:
    original = request("read_file", "Bash")
    renamed, back = constrain(original, OPENAI)
    assert renamed is original and back == {}


def test_invalid_names_are_replaced_everywhere_and_mapped_back() -> None:
    renamed, back = constrain(request("fs.read", "ok"), OPENAI)
    assert [tool.name for tool in renamed.tools] == ["fs_read", "ok"]
    assert renamed.tool_choice is not None and renamed.tool_choice.name == "fs_read"
    call = renamed.messages[0].parts[0]
    result = renamed.messages[1].parts[0]
    assert isinstance(call, ToolCall) and call.name == "fs_read"
    assert isinstance(result, ToolResult) and result.name == "fs_read"
    assert back == {"fs_read": "fs.read"}


def test_the_original_request_is_not_changed() -> None:
    original = request("fs.read")
    constrain(original, OPENAI)
    assert original.tools[0].name == "fs.read"
    assert original.messages[0].parts[0].name == "fs.read"  # type: ignore[union-attr]


def test_long_and_clashing_names_get_unique_valid_names() -> None:
    long_name = "n" * 100
    renamed, back = constrain(request(long_name, "a.b", "a_b"), OPENAI)
    names = [tool.name for tool in renamed.tools]
    assert len(set(names)) == 3
    assert all(OPENAI.pattern.match(name) for name in names)
    assert back[names[0]] == long_name and back[names[1]] == "a.b" and names[2] == "a_b"
