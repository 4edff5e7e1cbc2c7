"""What api.openai.com refuses in a Chat Completions request, with its own wording."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.base import Rejected, words
from tests.fakes.openai_base import expect_type, invalid_value, is_reasoning_model, missing, reject_unknown

FIELDS = words(
    """model messages stream stream_options max_tokens max_completion_tokens temperature top_p n stop
    presence_penalty frequency_penalty seed logit_bias logprobs top_logprobs response_format tools
    tool_choice parallel_tool_calls reasoning_effort verbosity user safety_identifier prompt_cache_key
    prompt_cache_retention service_tier store metadata modalities audio prediction web_search_options
    functions function_call"""
)
ROLES = ["system", "assistant", "user", "function", "tool", "developer"]
USER_PARTS = ["text", "image_url", "input_audio", "file"]
ASSISTANT_PARTS = ["text", "refusal"]
TEXT_ONLY = ["text"]
NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def validate(body: Any, record: object = None) -> None:
    if not isinstance(body, dict):
        raise Rejected("Invalid request body: expected a JSON object.")
    reject_unknown(body, FIELDS, "Unrecognized request argument supplied: {name}")
    if "model" not in body:
        raise Rejected("you must provide a model parameter", param="model")
    if "messages" not in body:
        raise missing("messages")
    _messages(body["messages"])
    _tools(body)
    _sampling(body)


def _messages(messages: Any) -> None:
    expect_type(messages, list, "an array", "messages")
    if not messages:
        raise Rejected(
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty "
            "array instead.",
            param="messages",
            reason="empty_array",
        )
    awaiting: dict[str, int] = {}
    for index, message in enumerate(messages):
        expect_type(message, dict, "an object", f"messages[{index}]")
        role = message.get("role")
        if role not in ROLES:
            raise invalid_value(role, ROLES, f"messages[{index}].role")
        if role != "tool":
            _unanswered(awaiting, index)
        _MESSAGE_CHECKS[role](message, index, awaiting)
    _unanswered(awaiting, len(messages))


def _unanswered(awaiting: dict[str, int], index: int) -> None:
    if awaiting:
        ids = ", ".join(awaiting)
        raise Rejected(
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
            f"'tool_call_id'. The following tool_call_ids did not have response messages: {ids}",
            param=f"messages.[{index}].role",
        )


def _plain(message: dict[str, Any], index: int, awaiting: dict[str, int]) -> None:
    _content(message.get("content"), TEXT_ONLY, f"messages[{index}]")


def _user(message: dict[str, Any], index: int, awaiting: dict[str, int]) -> None:
    _content(message.get("content"), USER_PARTS, f"messages[{index}]")


def _assistant(message: dict[str, Any], index: int, awaiting: dict[str, int]) -> None:
    calls = message.get("tool_calls")
    content = message.get("content")
    if content is not None or not (calls or message.get("function_call")):
        _content(content, ASSISTANT_PARTS, f"messages[{index}]")
    if calls is None:
        return
    expect_type(calls, list, "an array", f"messages[{index}].tool_calls")
    for number, call in enumerate(calls):
        path = f"messages[{index}].tool_calls[{number}]"
        expect_type(call, dict, "an object", path)
        expect_type(call.get("id"), str, "a string", f"{path}.id")
        if call.get("type", "function") == "function":
            function = call.get("function")
            expect_type(function, dict, "an object", f"{path}.function")
            expect_type(function.get("name"), str, "a string", f"{path}.function.name")
            expect_type(function.get("arguments"), str, "a string", f"{path}.function.arguments")
        awaiting[call["id"]] = index


def _tool(message: dict[str, Any], index: int, awaiting: dict[str, int]) -> None:
    call_id = message.get("tool_call_id")
    if call_id is None:
        raise missing(f"messages[{index}].tool_call_id")
    expect_type(call_id, str, "a string", f"messages[{index}].tool_call_id")
    if call_id not in awaiting:
        raise Rejected(
            "Invalid parameter: messages with role 'tool' must be a response to a preceeding message "
            "with 'tool_calls'.",
            param=f"messages.[{index}].role",
        )
    del awaiting[call_id]
    _content(message.get("content"), TEXT_ONLY, f"messages[{index}]")


_MESSAGE_CHECKS = {
    "system": _plain,
    "developer": _plain,
    "user": _user,
    "assistant": _assistant,
    "tool": _tool,
    "function": _plain,
}


def _content(content: Any, allowed: list[str], path: str) -> None:
    if isinstance(content, str):
        return
    if content is None:
        raise Rejected(
            f"Invalid value for '{path}.content': expected a string, got null.",
            param=f"{path}.content",
            reason="invalid_value",
        )
    expect_type(content, list, "an array", f"{path}.content")
    for number, part in enumerate(content):
        part_path = f"{path}.content[{number}]"
        expect_type(part, dict, "an object", part_path)
        if part.get("type") not in allowed:
            raise invalid_value(part.get("type"), allowed, f"{part_path}.type")
        if part["type"] in ("text", "refusal"):
            expect_type(part.get(part["type"]), str, "a string", f"{part_path}.{part['type']}")
        if part["type"] == "image_url":
            image = part.get("image_url")
            expect_type(image, dict, "an object", f"{part_path}.image_url")
            expect_type(image.get("url"), str, "a string", f"{part_path}.image_url.url")


def _tools(body: dict[str, Any]) -> None:
    tools = body.get("tools")
    if tools is None:
        if body.get("tool_choice") is not None:
            raise Rejected(
                "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
                param="tool_choice",
            )
        return
    expect_type(tools, list, "an array", "tools")
    for index, tool in enumerate(tools):
        expect_type(tool, dict, "an object", f"tools[{index}]")
        kind = tool.get("type")
        if kind not in ("function", "custom"):
            raise invalid_value(kind, ["function", "custom"], f"tools[{index}].type")
        spec = tool.get(kind)
        if not isinstance(spec, dict):
            raise missing(f"tools[{index}].{kind}")
        _tool_name(spec.get("name"), f"tools[{index}].{kind}.name")
        if kind == "function" and "parameters" in spec:
            _schema(spec["parameters"], spec["name"])


def _tool_name(name: Any, param: str) -> None:
    if name is None:
        raise missing(param)
    expect_type(name, str, "a string", param)
    if not NAME.match(name):
        raise Rejected(
            f"Invalid '{param}': string does not match pattern. Expected a string that matches the "
            "pattern '^[a-zA-Z0-9_-]+$'.",
            param=param,
            reason="invalid_value",
        )


def _schema(schema: Any, name: str) -> None:
    kind = schema.get("type") if isinstance(schema, dict) else None
    if kind != "object":
        raise Rejected(
            f"Invalid schema for function '{name}': schema must be a JSON Schema of 'type: \"object\"', "
            f"got 'type: \"{kind}\"'.",
            param="tools",
            reason="invalid_function_parameters",
        )


def _sampling(body: dict[str, Any]) -> None:
    if body.get("stream_options") is not None:
        expect_type(body["stream_options"], dict, "an object", "stream_options")
    if body.get("stream_options") is not None and body.get("stream") is not True:
        raise Rejected(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param="stream_options"
        )
    if not is_reasoning_model(body.get("model")):
        return
    if body.get("max_tokens") is not None:
        raise Rejected(
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
            "'max_completion_tokens' instead.",
            param="max_tokens",
            reason="unsupported_parameter",
        )
    temperature = body.get("temperature")
    if temperature is not None and temperature != 1:
        raise Rejected(
            f"Unsupported value: 'temperature' does not support {temperature} with this model. Only the "
            "default (1) value is supported.",
            param="temperature",
            reason="unsupported_value",
        )
