"""What api.anthropic.com refuses in a Messages (or count_tokens) request, in its wording.

Consecutive same-role messages are merged into one turn first, as the API does; the tool
rules then apply per turn: every tool_result answers a tool_use of the turn just before,
comes before other content, and every tool_use is answered in the next turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.base import Rejected, words

FIELDS = words(
    """model messages max_tokens system metadata stop_sequences stream temperature top_p top_k tools
    tool_choice thinking service_tier container mcp_servers context_management output_config output_format
    inference_geo cache_control speed"""
)
COUNT_FIELDS = words(
    """model messages system tools tool_choice thinking output_config output_format mcp_servers
    context_management cache_control speed"""
)
# Body fields the API only knows behind a beta header (prefix of the beta name).
BETA_FIELDS = {"speed": "fast-mode", "mcp_servers": "mcp-client"}
BLOCKS = words(
    """text image document search_result tool_use tool_result thinking redacted_thinking server_tool_use
    web_search_tool_result web_fetch_tool_result code_execution_tool_result bash_code_execution_tool_result
    text_editor_code_execution_tool_result tool_search_tool_result mcp_tool_use mcp_tool_result
    container_upload tool_reference"""
)
RESULT_BLOCKS = words("text image document search_result tool_reference")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
TOOL_KEYS = words(
    """name description input_schema cache_control type strict defer_loading input_examples
    allowed_callers eager_input_streaming"""
)
ID = re.compile(r"^[a-zA-Z0-9_-]+$")
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
THINKING_DOCS = (
    "Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
)


@dataclass(slots=True)
class Turn:
    role: str
    index: int
    blocks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass(slots=True)
class Check:
    """One request under validation: the body, its beta names, the fake's issued signatures."""

    body: dict[str, Any]
    betas: list[str]
    signatures: set[str]
    count: bool = False
    require_thinking_replay: bool = True

    def has_beta(self, prefix: str) -> bool:
        return any(beta.startswith(prefix) for beta in self.betas)


def betas_of(headers: dict[str, str]) -> list[str]:
    return [b.strip() for b in headers.get("anthropic-beta", "").split(",") if b.strip()]


def validate(check: Check) -> None:
    body = check.body
    if not isinstance(body, dict):
        raise Rejected("body: Input should be a valid dictionary")
    _fields(check)
    _system(body.get("system"), check)
    turns = _turns(body["messages"], check)
    _tool_pairs(turns)
    _tools(body.get("tools"))
    _tool_choice(body.get("tool_choice"))
    _sampling(body)
    _thinking(check, turns)


def _fields(check: Check) -> None:
    body = check.body
    allowed = COUNT_FIELDS if check.count else FIELDS
    for name in body:
        beta = BETA_FIELDS.get(name)
        if name not in allowed or (beta is not None and not check.has_beta(beta)):
            raise Rejected(f"{name}: Extra inputs are not permitted")
    required = ("model", "messages") if check.count else ("model", "max_tokens", "messages")
    for name in required:
        if name not in body:
            raise Rejected(f"{name}: Field required")
    if not check.count:
        tokens = body["max_tokens"]
        if not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < 1:
            raise Rejected("max_tokens: Input should be greater than or equal to 1")
    if not isinstance(body["messages"], list):
        raise Rejected("messages: Input should be a valid list")


def _system(system: Any, check: Check) -> None:
    if system is None or isinstance(system, str):
        return
    if not isinstance(system, list):
        raise Rejected("system: Input should be a valid list")
    for index, block in enumerate(system):
        if not isinstance(block, dict) or block.get("type") != "text":
            raise Rejected(f"system.{index}.type: Input should be 'text'")
        _text(block, f"system.{index}")


def _turns(messages: list[Any], check: Check) -> list[Turn]:
    """The conversation as merged user/assistant turns; mid-conversation system messages
    (a beta: any `anthropic-beta` header lets them through) are checked, then set aside."""
    turns: list[Turn] = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise Rejected(f"messages.{index}: Input should be a valid dictionary")
        role = message.get("role")
        if role not in ("user", "assistant") and not (role == "system" and check.betas):
            raise Rejected(f"messages.{index}.role: Input should be 'user' or 'assistant'")
        blocks = _blocks(message.get("content"), index, last=index == len(messages) - 1, role=role)
        _signatures(blocks, check.signatures)
        if role == "system":
            continue
        if turns and turns[-1].role == role:
            turns[-1].blocks.extend(blocks)
        else:
            turns.append(Turn(role, index, blocks))
    if not turns:
        raise Rejected("messages: at least one message is required")
    if turns[0].role != "user":
        raise Rejected('messages: first message must use the "user" role')
    return turns


def _blocks(content: Any, index: int, *, last: bool, role: str) -> list[tuple[str, dict[str, Any]]]:
    path = f"messages.{index}.content"
    if isinstance(content, str):
        blocks = [(path, {"type": "text", "text": content})] if content else []
    elif isinstance(content, list):
        blocks = [(f"{path}.{n}", block) for n, block in enumerate(content)]
    else:
        raise Rejected(f"{path}: Input should be a valid list")
    if not blocks and not (last and role == "assistant"):
        raise Rejected(
            f"messages.{index}: all messages must have non-empty content except for the optional final "
            "assistant message"
        )
    for block_path, block in blocks:
        _block(block, block_path)
    return blocks


def _block(block: Any, path: str, allowed: frozenset[str] = BLOCKS) -> None:
    if not isinstance(block, dict):
        raise Rejected(f"{path}: Input should be a valid dictionary")
    kind = block.get("type")
    if not isinstance(kind, str) or kind not in allowed:
        tags = ", ".join(f"'{b}'" for b in sorted(allowed))
        raise Rejected(
            f"{path}: Input tag '{kind}' found using 'type' does not match any of the expected tags: {tags}"
        )
    check = _BLOCK_CHECKS.get(kind)
    if check is not None:
        check(block, path)


def _tool_use(block: dict[str, Any], path: str) -> None:
    _id(block.get("id"), f"{path}.id")
    if not isinstance(block.get("input"), dict):
        raise Rejected(f"{path}.input: Input should be a valid dictionary")


def _tool_result(block: dict[str, Any], path: str) -> None:
    _id(block.get("tool_use_id"), f"{path}.tool_use_id")
    content = block.get("content")
    if content is None or isinstance(content, str):
        return
    if not isinstance(content, list):
        raise Rejected(f"{path}.content: Input should be a valid list")
    for number, inner in enumerate(content):
        _block(inner, f"{path}.content.{number}", RESULT_BLOCKS)


def _image(block: dict[str, Any], path: str) -> None:
    source = block.get("source")
    kind = source.get("type") if isinstance(source, dict) else None
    if kind not in ("base64", "url", "file"):
        raise Rejected(
            f"{path}.source: Input tag '{kind}' found using 'type' does not match any of the expected tags: "
            "'base64', 'url', 'file'"
        )
    assert isinstance(source, dict)
    if kind == "base64" and source.get("media_type") not in IMAGE_TYPES:
        raise Rejected(
            f"{path}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or "
            "'image/webp'"
        )
    field = {"base64": "data", "url": "url", "file": "file_id"}[kind]
    if not isinstance(source.get(field), str):
        raise Rejected(f"{path}.source.{kind}.{field}: Field required")


def _text(block: dict[str, Any], path: str) -> None:
    text = block.get("text")
    if not isinstance(text, str):
        raise Rejected(f"{path}.text: Input should be a valid string")
    if not text:
        raise Rejected("messages: text content blocks must be non-empty")
    if not text.strip():
        raise Rejected("messages: text content blocks must contain non-whitespace text")


_BLOCK_CHECKS = {"text": _text, "tool_use": _tool_use, "tool_result": _tool_result, "image": _image}


def _id(value: Any, path: str) -> None:
    if not isinstance(value, str) or not ID.match(value):
        raise Rejected(f"{path}: String should match pattern '^[a-zA-Z0-9_-]+$'")


def _signatures(blocks: list[tuple[str, dict[str, Any]]], issued: set[str]) -> None:
    for path, block in blocks:
        if block.get("type") == "thinking" and block.get("signature") not in issued:
            raise Rejected(f"{path}: Invalid `signature` in `thinking` block")
        if block.get("type") == "redacted_thinking" and block.get("data") not in issued:
            raise Rejected(f"{path}: Invalid `data` in `redacted_thinking` block")


def _tool_pairs(turns: list[Turn]) -> None:
    for position, turn in enumerate(turns):
        if turn.role != "user":
            continue
        before = turns[position - 1] if position and turns[position - 1].role == "assistant" else None
        asked = [b["id"] for _, b in before.blocks if b.get("type") == "tool_use"] if before else []
        answered = _answers(turn, set(asked))
        unanswered = [call for call in asked if call not in answered]
        if unanswered and before is not None:
            raise Rejected(
                f"messages.{turn.index}: `tool_use` ids were found without `tool_result` blocks immediately "
                f"after: {', '.join(unanswered)}. Each `tool_use` block must have a corresponding "
                "`tool_result` block in the next message."
            )


def _answers(turn: Turn, asked: set[str]) -> set[str]:
    answered: set[str] = set()
    other_content = False
    for path, block in turn.blocks:
        if block.get("type") != "tool_result":
            other_content = True
            continue
        if other_content:
            raise Rejected(
                f"{path}: tool_result blocks must come first in the user message, before any other content"
            )
        if block["tool_use_id"] not in asked:
            raise Rejected(
                f"{path}: unexpected `tool_use_id` found in `tool_result` blocks: {block['tool_use_id']}. "
                "Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
            )
        answered.add(block["tool_use_id"])
    return answered


def _tools(tools: Any) -> None:
    if tools is None:
        return
    if not isinstance(tools, list):
        raise Rejected("tools: Input should be a valid list")
    names: set[str] = set()
    for index, tool in enumerate(tools):
        if not isinstance(tool, dict):
            raise Rejected(f"tools.{index}: Input should be a valid dictionary")
        name = tool.get("name")
        if isinstance(tool.get("type"), str) and tool["type"] != "custom":
            names.add(str(name))
            continue  # a server tool (web_search_20250305, bash_..., ...): its own schema
        _custom_tool(tool, f"tools.{index}.custom")
        if name in names:
            raise Rejected("tools: Tool names must be unique.")
        names.add(name)


def _custom_tool(tool: dict[str, Any], path: str) -> None:
    for key in tool:
        if key not in TOOL_KEYS:
            raise Rejected(f"{path}.{key}: Extra inputs are not permitted")
    if not isinstance(tool.get("name"), str) or not TOOL_NAME.match(tool["name"]):
        raise Rejected(f"{path}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'")
    schema = tool.get("input_schema")
    if schema is None:
        raise Rejected(f"{path}.input_schema: Field required")
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise Rejected(f"{path}.input_schema.type: Input should be 'object'")


def _tool_choice(choice: Any) -> None:
    if choice is None:
        return
    kind = choice.get("type") if isinstance(choice, dict) else None
    if not isinstance(kind, str) or kind not in ("auto", "any", "tool", "none"):
        raise Rejected(
            f"tool_choice: Input tag '{kind}' found using 'type' does not match any of the expected tags: "
            "'auto', 'any', 'tool', 'none'"
        )
    if kind == "tool" and not isinstance(choice.get("name"), str):
        raise Rejected("tool_choice.tool.name: Field required")


def _thinking(check: Check, turns: list[Turn]) -> None:
    thinking = check.body.get("thinking")
    if thinking is None:
        return
    kind = thinking.get("type") if isinstance(thinking, dict) else None
    if not isinstance(kind, str) or kind not in ("enabled", "disabled", "adaptive"):
        raise Rejected(
            f"thinking: Input tag '{kind}' found using 'type' does not match any of the expected tags: "
            "'enabled', 'disabled', 'adaptive'"
        )
    if kind == "disabled":
        return
    if kind == "enabled":
        _budget(thinking.get("budget_tokens"), check)
    _thinking_sampling(check.body)
    # Only `enabled` always thinks first; under `adaptive` a turn may legitimately have no thinking.
    if check.require_thinking_replay and kind == "enabled":
        _replayed(turns)


def _budget(budget: Any, check: Check) -> None:
    if not isinstance(budget, int) or isinstance(budget, bool):
        raise Rejected("thinking.enabled.budget_tokens: Field required")
    if budget < 1024:
        raise Rejected("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
    # With interleaved thinking the budget spans the whole turn and may exceed max_tokens.
    if not check.count and budget >= check.body["max_tokens"] and not check.has_beta("interleaved-thinking"):
        raise Rejected(f"`max_tokens` must be greater than `thinking.budget_tokens`. {THINKING_DOCS}")


def _thinking_sampling(body: dict[str, Any]) -> None:
    temperature = body.get("temperature")
    if temperature is not None and temperature != 1:
        raise Rejected(f"`temperature` may only be set to 1 when thinking is enabled. {THINKING_DOCS}")
    if body.get("top_k") is not None:
        raise Rejected(f"`top_k` must be unset when thinking is enabled. {THINKING_DOCS}")
    top_p = body.get("top_p")
    if top_p is not None and not (_number(top_p, "top_p") >= 0.95):
        raise Rejected(
            f"`top_p` must be between 0.95 and 1 or unset when thinking is enabled. {THINKING_DOCS}"
        )


def _replayed(turns: list[Turn]) -> None:
    """With thinking on, the assistant turn of an ongoing tool loop must open with its thinking."""
    if len(turns) < 2 or turns[-1].role != "user" or turns[-2].role != "assistant":
        return
    if not any(b.get("type") == "tool_result" for _, b in turns[-1].blocks):
        return
    path, first = turns[-2].blocks[0]
    if first.get("type") not in ("thinking", "redacted_thinking"):
        raise Rejected(
            f"{path}.type: Expected `thinking` or `redacted_thinking`, but found `{first.get('type')}`. When "
            "`thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding "
            "the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking "
            f"blocks from previous turns. To avoid this requirement, disable `thinking`. {THINKING_DOCS}"
        )


def _sampling(body: dict[str, Any]) -> None:
    for name in ("temperature", "top_p"):
        value = body.get(name)
        if value is not None and not 0 <= _number(value, name) <= 1:
            raise Rejected(f"{name}: Input should be less than or equal to 1")
    metadata = body.get("metadata")
    if isinstance(metadata, dict):
        for key in metadata:
            if key != "user_id":
                raise Rejected(f"metadata.{key}: Extra inputs are not permitted")


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Rejected(f"{name}: Input should be a valid number")
    return float(value)
