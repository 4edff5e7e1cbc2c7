"""A request's `input` items -> IR messages (parse) and back (render).

Items map onto turns: assistant-side items (message, reasoning, function and custom
tool calls) join the assistant turn before them; tool outputs join a user turn made
only of tool results; user, system and developer messages each start a turn.
"""

from __future__ import annotations

import logging
import mimetypes
from typing import Any

import orjson

from dragoman.dialects.openai_responses import compaction as sealed
from dragoman.dialects.openai_responses import items as wire_items
from dragoman.dialects.openai_responses.tools import DIALECT, parse_tools
from dragoman.ir.errors import InvalidRequest
from dragoman.ir.media import data_url, parse_data_url
from dragoman.ir.messages import Document, Image, Message, Part, Text, Thinking, ToolCall, ToolResult
from dragoman.ir.reasoning import keep_for, unwrap_signature
from dragoman.ir.request import Request
from dragoman.ir.tools import Tool

log = logging.getLogger("dragoman.dialects")

_ROLES = {"user": "user", "assistant": "assistant", "system": "system", "developer": "system"}
# Items that record hosted tools the server ran; no IR home, and no other upstream
# could use them, so they are dropped rather than failing the conversation.
_HOSTED_ITEMS = frozenset(
    {
        "web_search_call",
        "file_search_call",
        "image_generation_call",
        "code_interpreter_call",
        "computer_call",
        "computer_call_output",
        "local_shell_call",
        "local_shell_call_output",
        "shell_call",
        "shell_call_output",
        "apply_patch_call",
        "apply_patch_call_output",
        "mcp_call",
        "mcp_list_tools",
        "mcp_approval_request",
        "mcp_approval_response",
    }
)


class InputParser:
    """Folds input items into `system`, `messages` and the tools items declare."""

    def __init__(self) -> None:
        self.system: list[Text] = []
        self.messages: list[Message] = []
        self.tools: list[Tool] = []

    def parse(self, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, str):
            self.messages.append(Message("user", [Text(value)]))
            return
        if not isinstance(value, list):
            raise InvalidRequest("input: expected a string or an array of items")
        for index, item in enumerate(value):
            self._item(item, f"input[{index}]")

    def _item(self, item: Any, path: str) -> None:
        if not isinstance(item, dict):
            raise InvalidRequest(f"{path}: expected an object")
        kind = item.get("type", "message" if "role" in item else None)
        if not isinstance(kind, str):
            raise InvalidRequest(f"{path}.type: expected an item type")
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, item, path)
        elif kind == "item_reference":
            raise InvalidRequest(
                f"{path}: item_reference points at a response stored by the upstream, which this "
                "gateway cannot resolve; send the full item instead (and store: false)"
            )
        elif kind == sealed.TRIGGER:
            raise InvalidRequest(f"{path}: a compaction_trigger must be the final input item")
        elif kind in _HOSTED_ITEMS:
            log.warning("dropping input item of type %r at %s: it has no equivalent elsewhere", kind, path)
        else:
            raise InvalidRequest(f"{path}.type: unknown item type {kind!r}")

    def _message(self, item: dict[str, Any], path: str) -> None:
        role = item.get("role")
        role = _ROLES.get(role) if isinstance(role, str) else None
        if role is None:
            raise InvalidRequest(f"{path}.role: expected user, assistant, system or developer")
        parts = content_parts(item.get("content"), f"{path}.content")
        if role == "system" and not self.messages and all(isinstance(p, Text) for p in parts):
            self.system.extend(parts)  # type: ignore[arg-type]
        elif role == "assistant":
            self._assistant().parts.extend(parts)
        else:
            self.messages.append(Message(role, parts))  # type: ignore[arg-type]

    def _reasoning(self, item: dict[str, Any], path: str) -> None:
        value = item.get("encrypted_content")
        if value is not None and not isinstance(value, str):
            raise InvalidRequest(f"{path}.encrypted_content: expected a string")
        try:
            origin, item_id, signature = unwrap_signature(value)
        except ValueError:  # a value that looks wrapped but is not: keep it as it came
            origin, item_id, signature = None, None, value
        thinking = Thinking(text=wire_items.reasoning_text(item), signature=signature, origin=origin)
        if origin is None:
            thinking.id = item.get("id") if isinstance(item.get("id"), str) else None
        elif item_id == wire_items.REDACTED_ID:
            thinking.redacted = True
        else:
            thinking.id = item_id
        self._assistant().parts.append(thinking)

    def _compaction(self, item: dict[str, Any], path: str) -> None:
        """Codex's compacted history: opaque model context, like redacted thinking.

        Carried as a redacted thinking part of no origin, which `keep_for` sends back
        only to a Responses upstream and drops for every other. One dragoman sealed
        (`compaction`) is its summary, which every upstream reads as a user message.
        """
        value = item.get("encrypted_content")
        if not isinstance(value, str):
            raise InvalidRequest(f"{path}.encrypted_content: expected a string")
        if sealed.is_sealed(value):
            summary = sealed.opened(value, path)
            self.messages.append(Message("user", [Text(sealed.PREAMBLE + summary)]))
            return
        item_id = item.get("id") if isinstance(item.get("id"), str) else None
        self._assistant().parts.append(Thinking(signature=value, redacted=True, id=item_id))

    def _call(self, item: dict[str, Any], path: str) -> None:
        if not isinstance(item.get("call_id"), str) or not isinstance(item.get("name"), str):
            raise InvalidRequest(f"{path}: call_id and name are required")
        field = "input" if item["type"] == "custom_tool_call" else "arguments"
        if not isinstance(item.get(field), str):
            raise InvalidRequest(f"{path}.{field}: expected a string")
        self._assistant().parts.append(wire_items.call_part(item))

    def _output(self, item: dict[str, Any], path: str) -> None:
        call_id = item.get("call_id")
        if not isinstance(call_id, str):
            raise InvalidRequest(f"{path}.call_id: required")
        output = item.get("output")
        if isinstance(output, str):
            content: list[Text | Image | Document] = [Text(output)] if output else []
        elif isinstance(output, list):
            content = content_parts(output, f"{path}.output")  # type: ignore[assignment]
        else:
            raise InvalidRequest(f"{path}.output: expected a string or an array of parts")
        last = self.messages[-1] if self.messages else None
        if last is None or last.role != "user" or not all(isinstance(p, ToolResult) for p in last.parts):
            last = Message("user", [])
            self.messages.append(last)
        last.parts.append(ToolResult(call_id=call_id, content=content))

    def _tool_search_call(self, item: dict[str, Any], path: str) -> None:
        if item.get("execution") != "client":  # run by the server: a hosted item
            log.warning("dropping a server-run tool_search_call at %s", path)
            return
        if not isinstance(item.get("call_id"), str):
            raise InvalidRequest(f"{path}.call_id: required")
        self._assistant().parts.append(wire_items.call_part(item))

    def _tool_search_output(self, item: dict[str, Any], path: str) -> None:
        if item.get("execution") != "client":
            log.warning("dropping a server-run tool_search_output at %s", path)
            return
        tools = item.get("tools")
        if not isinstance(tools, list):
            raise InvalidRequest(f"{path}.tools: expected an array")
        # The loaded tool definitions are the result the model reads, as JSON text.
        self._output({"call_id": item.get("call_id"), "output": orjson.dumps(tools).decode()}, path)

    def _additional_tools(self, item: dict[str, Any], path: str) -> None:
        self.tools.extend(parse_tools(item.get("tools"), f"{path}.tools"))

    def _assistant(self) -> Message:
        if not self.messages or self.messages[-1].role != "assistant":
            self.messages.append(Message("assistant", []))
        return self.messages[-1]


_HANDLERS = {
    "message": InputParser._message,
    "reasoning": InputParser._reasoning,
    "function_call": InputParser._call,
    "custom_tool_call": InputParser._call,
    "function_call_output": InputParser._output,
    "custom_tool_call_output": InputParser._output,
    "additional_tools": InputParser._additional_tools,
    "compaction": InputParser._compaction,
    "compaction_summary": InputParser._compaction,
    "tool_search_call": InputParser._tool_search_call,
    "tool_search_output": InputParser._tool_search_output,
}


def content_parts(value: Any, path: str) -> list[Part]:
    if isinstance(value, str):
        return [Text(value)]
    if not isinstance(value, list):
        raise InvalidRequest(f"{path}: expected a string or an array of parts")
    return [content_part(part, f"{path}[{index}]") for index, part in enumerate(value)]


def content_part(part: Any, path: str) -> Part:
    if not isinstance(part, dict):
        raise InvalidRequest(f"{path}: expected an object")
    kind = part.get("type")
    if kind in ("input_text", "output_text", "text", "summary_text"):
        if not isinstance(part.get("text"), str):
            raise InvalidRequest(f"{path}.text: expected a string")
        return Text(part["text"])
    if kind == "refusal":
        return Text(str(part.get("refusal") or ""))
    if kind == "input_image":
        return _image(part, path)
    if kind == "input_file":
        return _file(part, path)
    raise InvalidRequest(f"{path}.type: unsupported content type {kind!r}")


def _image(part: dict[str, Any], path: str) -> Image:
    url = part.get("image_url")
    detail = part.get("detail") if isinstance(part.get("detail"), str) else None
    if not isinstance(url, str):
        raise InvalidRequest(f"{path}: an image by file_id cannot be resolved here; send image_url instead")
    inline = parse_data_url(url)
    if inline is not None:
        return Image(media_type=inline[0], data=inline[1], detail=detail)
    return Image(url=url, detail=detail)


def _file(part: dict[str, Any], path: str) -> Document:
    filename = part.get("filename") if isinstance(part.get("filename"), str) else None
    data = part.get("file_data")
    if isinstance(data, str):
        inline = parse_data_url(data)
        if inline is not None:
            return Document(media_type=inline[0], data=inline[1], filename=filename)
        guessed = mimetypes.guess_type(filename)[0] if filename else None
        return Document(media_type=guessed, data=data, filename=filename)
    if isinstance(part.get("file_url"), str):
        return Document(url=part["file_url"], filename=filename)
    raise InvalidRequest(f"{path}: a file by file_id cannot be resolved here; send file_data or file_url")


# --- render ------------------------------------------------------------------------


class InputRenderer:
    """IR messages -> input items for a Responses upstream.

    `origin` names the upstream: thinking parts are kept per `ir.reasoning.keep_for`,
    and then only when they carry something the upstream can use (encrypted content,
    or an id it stored when `store` is on).
    """

    def __init__(self, request: Request, origin: str, *, stored: bool) -> None:
        self.request = request
        self.origin = origin
        self.stored = stored
        self.same_dialect = request.source == DIALECT
        self.sent_reasoning = False
        self._call_names: dict[str, str] = {}

    def render(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for message in self.request.messages:
            if message.role == "assistant":
                self._assistant(message, out)
            else:
                self._user(message, out)
        return out

    def _user(self, message: Message, out: list[dict[str, Any]]) -> None:
        role = "developer" if message.role == "system" else "user"
        run: list[dict[str, Any]] = []
        for part in message.parts:
            if isinstance(part, ToolResult):
                _flush(out, role, run)
                run = []
                out.append(self._result(part))
            elif isinstance(part, Text | Image | Document):
                run.append(input_part(part))
        _flush(out, role, run)

    def _assistant(self, message: Message, out: list[dict[str, Any]]) -> None:
        texts: list[dict[str, Any]] = []
        for part in message.parts:
            if isinstance(part, Text):
                texts.append({"type": "output_text", "text": part.text})
                continue
            _flush(out, "assistant", texts)
            texts = []
            if isinstance(part, ToolCall):
                self._call_names[part.id] = part.name
                out.append(wire_items.call_item(None, part, self.request, status=""))
            elif isinstance(part, Thinking) and self._keeps(part):
                if part.redacted and part.origin is None:
                    out.append(_compaction(part))
                else:
                    self.sent_reasoning = True
                    out.append(_reasoning(part))
        _flush(out, "assistant", texts)

    def _keeps(self, part: Thinking) -> bool:
        if not keep_for(part, self.origin, same_dialect=self.same_dialect):
            return False
        return bool(part.signature) or (part.id is not None and self.stored)

    def _result(self, part: ToolResult) -> dict[str, Any]:
        name = part.name or self._call_names.get(part.call_id, "")
        if wire_items.is_tool_search(name, self.request):
            return _tool_search_output(part)
        kind = (
            "custom_tool_call_output" if wire_items.is_custom(name, self.request) else "function_call_output"
        )
        if len(part.content) == 1 and isinstance(part.content[0], Text):
            output: str | list[dict[str, Any]] = part.content[0].text
        elif part.content:
            output = [input_part(p) for p in part.content]
        else:
            output = ""
        return {"type": kind, "call_id": part.call_id, "output": output}


def _tool_search_output(part: ToolResult) -> dict[str, Any]:
    text = "".join(p.text for p in part.content if isinstance(p, Text))
    try:
        tools = orjson.loads(text) if text else []
    except orjson.JSONDecodeError:
        tools = []
    tools = tools if isinstance(tools, list) else []
    return {"type": "tool_search_output", "call_id": part.call_id, "execution": "client", "tools": tools}


def _flush(out: list[dict[str, Any]], role: str, content: list[dict[str, Any]]) -> None:
    if content:
        out.append({"type": "message", "role": role, "content": content})


def _compaction(part: Thinking) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "compaction", "encrypted_content": part.signature}
    if part.id is not None:
        item["id"] = part.id
    return item


def _reasoning(part: Thinking) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "reasoning"}
    if part.id is not None:
        item["id"] = part.id
    item["summary"] = [{"type": "summary_text", "text": part.text}] if part.text else []
    if part.signature:
        item["encrypted_content"] = part.signature
    return item


def input_part(part: Text | Image | Document) -> dict[str, Any]:
    if isinstance(part, Text):
        return {"type": "input_text", "text": part.text}
    if isinstance(part, Image):
        url = part.url if part.data is None else data_url(part.media_type, part.data)
        return {"type": "input_image", "image_url": url, "detail": part.detail or "auto"}
    if part.data is not None:
        filename = part.filename or part.title or "document"
        return {"type": "input_file", "file_data": data_url(part.media_type, part.data), "filename": filename}
    if part.url is not None:
        out = {"type": "input_file", "file_url": part.url}
        if part.filename:
            out["filename"] = part.filename
        return out
    return {"type": "input_text", "text": part.text or ""}
