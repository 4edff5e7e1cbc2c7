"""Cursor's models: `auto`, Cursor's own choice, which every plan has, and the account's
own live list.

The list is the cursor-agent CLI's `agent.v1.AgentService/GetUsableModels`, a Connect
unary call (connectrpc.com/docs/protocol): `POST` the raw protobuf request, no
envelope, `content-type: application/proto`; the answer is the raw protobuf response
with 200, or a Connect error as JSON with an HTTP error status (`error.py`). The
messages, as several independent public clients of it agree:

    GetUsableModelsRequest  { repeated string custom_model_ids = 1; }    sent empty
    GetUsableModelsResponse { repeated ModelDetails models = 1; }
    ModelDetails { string model_id = 1; optional ThinkingDetails thinking_details = 2;
                   string display_model_id = 3; string display_name = 4;
                   string display_name_short = 5; repeated string aliases = 6;
                   optional bool max_mode = 7; oneof credentials { 8, 9, 10 } }

read by `routing.live` (`LIST_CALL`, `parse_list`) with the runtime's CLI headers. A
model is served by its `model_id`, the name the Agent API takes; an empty list says
nothing (the built-in one stays). Requests to any of them are still refused
(`request.py`).
"""

from typing import Any

from dragoman.providers.cursor.proto import Field, ProtoError, fields, message, text
from dragoman.providers.spec import ListCall, ModelInfo

MODELS = (ModelInfo("auto", display_name="Cursor auto", router=True),)

LIST_PATH = "/agent.v1.AgentService/GetUsableModels"
LIST_QUERY: dict[str, str] = {}
LIST_CALL = ListCall(
    method="POST",
    body=b"",  # an empty GetUsableModelsRequest: no custom model ids
    headers={"content-type": "application/proto", "connect-protocol-version": "1"},
    json=False,
)

# GetUsableModelsResponse.models; ModelDetails' fields read here.
MODELS_FIELD = 1
MODEL_ID, THINKING, DISPLAY_NAME, DISPLAY_NAME_SHORT = 1, 2, 4, 5


def parse_list(body: Any) -> list[ModelInfo]:
    """The models of a GetUsableModelsResponse. ValueError if it is not one."""
    if not isinstance(body, bytes):
        raise ValueError("not a Cursor model list: no protobuf answer")
    try:
        listed = [_details(message(found)) for found in fields(body) if found.number == MODELS_FIELD]
    except ProtoError as error:
        raise ValueError(f"not a Cursor model list: {error}") from None
    return [info for info in listed if info is not None]


def next_page(body: Any) -> None:
    """The list comes whole, in one answer."""
    return None


def _details(data: bytes) -> ModelInfo | None:
    """One ModelDetails; None without a model id. Later values of a field win, as in
    protobuf; fields not read here (aliases, max mode, credentials, new ones) are skipped."""
    found: dict[int, Field] = {item.number: item for item in fields(data)}
    model_id = text(found[MODEL_ID]).strip() if MODEL_ID in found else ""
    if not model_id:
        return None
    names = [text(found[number]).strip() for number in (DISPLAY_NAME, DISPLAY_NAME_SHORT) if number in found]
    # ThinkingDetails is there only for a model that thinks.
    thinking = message(found[THINKING]) if THINKING in found else None
    return ModelInfo(model_id, reasoning=thinking is not None, display_name=next(filter(None, names), None))
