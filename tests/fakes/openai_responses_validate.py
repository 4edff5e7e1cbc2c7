"""What api.openai.com refuses in a Responses request, with its own wording.

Needs the fake for state: reasoning `encrypted_content` must be a token this fake issued,
a reasoning item sent by id alone must be one it stored (`store` not false), and so
must the response a `previous_response_id` names.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from tests.fakes.base import Rejected, words
from tests.fakes.openai_base import expect_type, invalid_value, is_reasoning_model, missing, reject_unknown

FIELDS = words(
    """model input instructions stream stream_options store previous_response_id conversation include
    tools tool_choice parallel_tool_calls max_output_tokens max_tool_calls temperature top_p top_logprobs
    reasoning text truncation metadata user safety_identifier service_tier prompt_cache_key
    prompt_cache_retention background context_management prompt client_metadata"""
)
INCLUDES = [
    "reasoning.encrypted_content",
    "message.output_text.logprobs",
    "message.input_image.image_url",
    "file_search_call.results",
    "web_search_call.results",
    "web_search_call.action.sources",
    "computer_call_output.output.image_url",
    "code_interpreter_call.outputs",
]
ROLES = ["user", "assistant", "system", "developer"]
INPUT_PARTS = ["input_text", "input_image", "input_file", "input_audio"]
OUTPUT_PARTS = ["output_text", "refusal"]
NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
# Call items and the output items that must answer one of them earlier in `input`.
OUTPUT_OF = {
    "function_call_output": "function_call",
    "custom_tool_call_output": "custom_tool_call",
    "local_shell_call_output": "local_shell_call",
    "shell_call_output": "shell_call",
    "apply_patch_call_output": "apply_patch_call",
}


class State(Protocol):
    signatures: set[str]
    stored_reasoning: set[str]
    stored_responses: set[str]


def validate(body: Any, state: State) -> None:
    if not isinstance(body, dict):
        raise Rejected("Invalid request body: expected a JSON object.")
    reject_unknown(body, FIELDS, "Unknown parameter: '{name}'.")
    if "model" not in body:
        raise missing("model")
    if body.get("instructions") is not None:
        expect_type(body["instructions"], str, "a string", "instructions")
    for name in ("reasoning", "text", "metadata", "stream_options"):
        if body.get(name) is not None:
            expect_type(body[name], dict, "an object", name)
    _include(body.get("include"))
    _sampling(body)
    _tools(body.get("tools"))
    _previous(body.get("previous_response_id"), state)
    stateful = any(body.get(k) for k in ("previous_response_id", "conversation", "prompt"))
    if body.get("input") is None:
        if not stateful:
            raise missing("input")
        return
    if isinstance(body["input"], str):
        return
    expect_type(body["input"], list, "an array", "input")
    _items(body["input"], state, stateful)


def _previous(previous: Any, state: State) -> None:
    if previous is not None and previous not in state.stored_responses:
        raise Rejected(
            f"Previous response with id '{previous}' not found.",
            param="previous_response_id",
            reason="previous_response_not_found",
        )


def _include(include: Any) -> None:
    if include is None:
        return
    expect_type(include, list, "an array", "include")
    for index, value in enumerate(include):
        if value not in INCLUDES:
            raise invalid_value(value, INCLUDES, f"include[{index}]")


def _sampling(body: dict[str, Any]) -> None:
    if body.get("stream_options") is not None and body.get("stream") is not True:
        raise Rejected(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param="stream_options"
        )
    if is_reasoning_model(body.get("model")):
        for name in ("temperature", "top_p"):
            if body.get(name) is not None:
                raise Rejected(
                    f"Unsupported parameter: '{name}' is not supported with this model.",
                    param=name,
                    reason="unsupported_parameter",
                )


def _tools(tools: Any) -> None:
    if tools is None:
        return
    expect_type(tools, list, "an array", "tools")
    for index, tool in enumerate(tools):
        expect_type(tool, dict, "an object", f"tools[{index}]")
        if not isinstance(tool.get("type"), str) or tool["type"] not in ("function", "custom"):
            continue
        if "name" not in tool:
            raise missing(f"tools[{index}].name")
        if not isinstance(tool["name"], str) or not NAME.match(tool["name"]):
            raise Rejected(
                f"Invalid 'tools[{index}].name': string does not match pattern. Expected a string that "
                "matches the pattern '^[a-zA-Z0-9_-]+$'.",
                param=f"tools[{index}].name",
                reason="invalid_value",
            )
        parameters = tool.get("parameters")
        if tool["type"] == "function" and parameters is not None:
            kind = parameters.get("type") if isinstance(parameters, dict) else None
            if kind != "object":
                raise Rejected(
                    f"Invalid schema for function '{tool['name']}': schema must be a JSON Schema of "
                    f"'type: \"object\"', got 'type: \"{kind}\"'.",
                    param=f"tools[{index}].parameters",
                    reason="invalid_function_parameters",
                )


def _items(items: list[Any], state: State, stateful: bool) -> None:
    calls: set[tuple[str, str]] = set()
    for index, item in enumerate(items):
        path = f"input[{index}]"
        expect_type(item, dict, "an object", path)
        kind = item.get("type", "message" if "role" in item else None)
        if kind is None:
            raise missing(f"{path}.type")
        expect_type(kind, str, "a string", f"{path}.type")
        if kind == "compaction_trigger" and index != len(items) - 1:
            raise Rejected("A compaction_trigger must be the final input item.", param=path)
        check = _ITEM_CHECKS.get(kind)
        if check is not None:
            check(item, path, state)
        if kind in OUTPUT_OF.values():
            calls.add((kind, str(item.get("call_id"))))
        answered = OUTPUT_OF.get(kind)
        if answered and not stateful and (answered, str(item.get("call_id"))) not in calls:
            raise Rejected(
                f"No tool call found for function call output with call_id {item.get('call_id')}.",
                param="input",
            )


def _message(item: dict[str, Any], path: str, state: State) -> None:
    role = item.get("role")
    if role not in ROLES:
        raise invalid_value(role, ROLES, f"{path}.role")
    content = item.get("content")
    if isinstance(content, str):
        return
    expect_type(content, list, "an array", f"{path}.content")
    allowed = OUTPUT_PARTS if role == "assistant" else INPUT_PARTS
    for number, part in enumerate(content):
        part_path = f"{path}.content[{number}]"
        expect_type(part, dict, "an object", part_path)
        if part.get("type") not in allowed:
            raise invalid_value(part.get("type"), allowed, part_path)
        if part["type"] in ("input_text", "output_text"):
            expect_type(part.get("text"), str, "a string", f"{part_path}.text")


def _function_call(item: dict[str, Any], path: str, state: State) -> None:
    for name in ("call_id", "name", "arguments"):
        if name not in item:
            raise missing(f"{path}.{name}")
        expect_type(item[name], str, "a string", f"{path}.{name}")


def _call_output(item: dict[str, Any], path: str, state: State) -> None:
    if "call_id" not in item:
        raise missing(f"{path}.call_id")
    if "output" not in item:
        raise missing(f"{path}.output")
    expect_type(item["output"], (str, list), "a string", f"{path}.output")


def _reasoning(item: dict[str, Any], path: str, state: State) -> None:
    if "summary" not in item:
        raise missing(f"{path}.summary")
    encrypted = item.get("encrypted_content")
    if encrypted is None:
        if item.get("id") not in state.stored_reasoning:
            raise Rejected(
                f"Item with id '{item.get('id')}' not found. Items are not persisted when `store` is set "
                "to false. Try again with `store` set to true, or remove this item from your input.",
                status=404,
                param="input",
            )
        return
    if encrypted not in state.signatures:
        raise Rejected(
            f"The encrypted content for item {item.get('id')} could not be verified. Reason: Encrypted "
            "content could not be decrypted or parsed.",
            reason="invalid_encrypted_content",
        )


def _compaction(item: dict[str, Any], path: str, state: State) -> None:
    # Compaction items are encrypted like reasoning: only the issuer reads them.
    if item.get("encrypted_content") not in state.signatures:
        raise Rejected(
            f"The encrypted content for item {item.get('id')} could not be verified. Reason: Encrypted "
            "content could not be decrypted or parsed.",
            reason="invalid_encrypted_content",
        )


_ITEM_CHECKS = {
    "compaction": _compaction,
    "message": _message,
    "function_call": _function_call,
    "function_call_output": _call_output,
    "custom_tool_call_output": _call_output,
    "reasoning": _reasoning,
}
