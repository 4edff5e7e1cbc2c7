"""Cursor's model-list messages for the fake, built by Google's own protobuf library from
a schema declared here with the field numbers public clients of `agent.v1.AgentService/
GetUsableModels` agree on: the fake's bytes are protobuf's, not dragoman's reading of it.

    GetUsableModelsRequest  { repeated string custom_model_ids = 1; }
    GetUsableModelsResponse { repeated ModelDetails models = 1; }
    ModelDetails { model_id = 1; thinking_details = 2; display_model_id = 3;
                   display_name = 4; display_name_short = 5; repeated aliases = 6;
                   optional bool max_mode = 7; }

ThinkingDetails' own fields are not public; the fake's has none (present or absent is
what dragoman reads). The credentials oneof (8-10) is left out: Cursor sends it for a
user's own keys only.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

FieldProto = descriptor_pb2.FieldDescriptorProto
STRING, BOOL, MESSAGE = FieldProto.TYPE_STRING, FieldProto.TYPE_BOOL, FieldProto.TYPE_MESSAGE
ONE, MANY = FieldProto.LABEL_OPTIONAL, FieldProto.LABEL_REPEATED

SCHEMA: dict[str, list[tuple[str, int, int, int, str | None]]] = {
    "GetUsableModelsRequest": [("custom_model_ids", 1, STRING, MANY, None)],
    "GetUsableModelsResponse": [("models", 1, MESSAGE, MANY, ".agent.v1.ModelDetails")],
    "ThinkingDetails": [],
    "ModelDetails": [
        ("model_id", 1, STRING, ONE, None),
        ("thinking_details", 2, MESSAGE, ONE, ".agent.v1.ThinkingDetails"),
        ("display_model_id", 3, STRING, ONE, None),
        ("display_name", 4, STRING, ONE, None),
        ("display_name_short", 5, STRING, ONE, None),
        ("aliases", 6, STRING, MANY, None),
        ("max_mode", 7, BOOL, ONE, None),
    ],
}


def _classes() -> dict[str, Any]:
    file = descriptor_pb2.FileDescriptorProto(name="fake_cursor_agent.proto", package="agent.v1")
    file.syntax = "proto3"
    for name, schema in SCHEMA.items():
        found = file.message_type.add(name=name)
        for field_name, number, kind, label, type_name in schema:
            added = found.field.add(name=field_name, number=number, type=kind, label=label)
            if type_name:
                added.type_name = type_name
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"agent.v1.{name}"))
        for name in SCHEMA
    }


CLASSES = _classes()


def model_details(model_id: str, name: str | None = None, *, thinking: bool = False) -> Any:
    """One ModelDetails as Cursor lists it: the fields dragoman reads and the ones it skips."""
    details = CLASSES["ModelDetails"](
        model_id=model_id,
        display_model_id=model_id,
        display_name=name or model_id,
        display_name_short=name or model_id,
        aliases=[model_id.replace("-", "")],
        max_mode=thinking,
    )
    if thinking:
        details.thinking_details.SetInParent()
    return details


def usable_models(models: list[Any]) -> bytes:
    """A GetUsableModelsResponse's bytes."""
    return bytes(CLASSES["GetUsableModelsResponse"](models=models).SerializeToString())


def read_request(data: bytes) -> list[str]:
    """A GetUsableModelsRequest's custom model ids. Raises protobuf's DecodeError."""
    request = CLASSES["GetUsableModelsRequest"]()
    request.ParseFromString(data)
    return list(request.custom_model_ids)
