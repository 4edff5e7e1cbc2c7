"""What generativelanguage.googleapis.com refuses in a GenerateContentRequest, in its wording.

The API parses bodies as protobuf JSON: unknown field names fail ("Cannot find field"), and
both lowerCamel and snake_case spellings are accepted. Function declaration `parameters` is
Gemini's OpenAPI-subset Schema (so `additionalProperties`, `$schema`, `$ref`, `const`, ...
are unknown fields there); `parametersJsonSchema` takes plain JSON Schema.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from typing import Any

import orjson

from tests.fakes.base import Rejected

SKIP_SIGNATURE = "skip_thought_signature_validator"
TOP = {
    "contents",
    "systemInstruction",
    "tools",
    "toolConfig",
    "safetySettings",
    "generationConfig",
    "cachedContent",
    "labels",
    "model",
}
COUNT_TOP = {"contents", "generateContentRequest"}
CONTENT = {"role", "parts"}
PART_DATA = [
    "text",
    "inlineData",
    "fileData",
    "functionCall",
    "functionResponse",
    "executableCode",
    "codeExecutionResult",
]
PART = {*PART_DATA, "thought", "thoughtSignature", "videoMetadata", "partMetadata", "mediaResolution"}
FUNCTION_CALL = {"id", "name", "args", "partialArgs", "willContinue"}
FUNCTION_RESPONSE = {"id", "name", "response", "parts", "willContinue", "scheduling"}
TOOL = {
    "functionDeclarations",
    "googleSearch",
    "googleSearchRetrieval",
    "codeExecution",
    "urlContext",
    "computerUse",
    "fileSearch",
    "googleMaps",
    "retrieval",
    "enterpriseWebSearch",
}
DECLARATION = {
    "name",
    "description",
    "parameters",
    "parametersJsonSchema",
    "response",
    "responseJsonSchema",
    "behavior",
}
SCHEMA = {
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "maxItems",
    "minItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "example",
    "anyOf",
    "propertyOrdering",
    "default",
    "items",
    "minimum",
    "maximum",
}
GENERATION = {
    "stopSequences",
    "responseMimeType",
    "responseSchema",
    "responseJsonSchema",
    "responseModalities",
    "candidateCount",
    "maxOutputTokens",
    "temperature",
    "topP",
    "topK",
    "seed",
    "presencePenalty",
    "frequencyPenalty",
    "responseLogprobs",
    "logprobs",
    "enableEnhancedCivicAnswers",
    "speechConfig",
    "thinkingConfig",
    "imageConfig",
    "mediaResolution",
}
THINKING = {"includeThoughts", "thinkingBudget", "thinkingLevel"}
FUNCTION_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def get(obj: dict[str, Any], name: str) -> Any:
    """A field by its camelCase name, accepting the snake_case spelling too."""
    return obj[name] if name in obj else obj.get(snake(name))


def known(obj: dict[str, Any], names: Iterable[str], path: str) -> None:
    allowed = set(names)
    for key in obj:
        if camel(key) not in allowed:
            where = f" at '{path}'" if path else ""
            raise Rejected(f'Invalid JSON payload received. Unknown name "{key}"{where}: Cannot find field.')


def proto_value(path: str, proto: str, value: Any) -> Rejected:
    shown = orjson.dumps(value).decode()
    return Rejected(f"Invalid value at '{path}' (type.googleapis.com/{proto}), {shown}")


def missing(path: str, message: str) -> Rejected:
    return Rejected(f"* GenerateContentRequest.{path}: {message}\n")


def validate(body: Any, model: str, signatures: set[str]) -> None:
    if not isinstance(body, dict):
        raise proto_value("", "google.ai.generativelanguage.v1beta.GenerateContentRequest", body)
    known(body, TOP, "")
    contents = get(body, "contents")
    if not contents:
        raise missing("contents", "contents is not specified")
    if not isinstance(contents, list):
        raise proto_value("contents", "google.ai.generativelanguage.v1beta.Content", contents)
    system = get(body, "systemInstruction")
    if system is not None:
        _content(system, "system_instruction", signatures)
    for index, content in enumerate(contents):
        _content(content, f"contents[{index}]", signatures)
        if get(content, "role") not in (None, "user", "model"):
            raise Rejected("Please use a valid role: user, model.")
    if model.startswith("gemini-3"):
        _signed_calls(contents)
    _tools(get(body, "tools"))
    _generation(get(body, "generationConfig"))


def validate_count(body: Any, model: str, signatures: set[str]) -> None:
    if not isinstance(body, dict):
        raise proto_value("", "google.ai.generativelanguage.v1beta.CountTokensRequest", body)
    known(body, COUNT_TOP, "")
    inner = get(body, "generateContentRequest")
    if inner is not None:
        validate(inner, model, signatures)
    elif not get(body, "contents"):
        raise Rejected("* CountTokensRequest.contents: contents is not specified\n")
    else:
        validate({"contents": get(body, "contents")}, model, signatures)


def _content(content: Any, path: str, signatures: set[str]) -> None:
    if not isinstance(content, dict):
        raise proto_value(path, "google.ai.generativelanguage.v1beta.Content", content)
    known(content, CONTENT, path)
    parts = get(content, "parts")
    if not parts:
        raise missing(f"{path}.parts", "contents.parts must not be empty.")
    if not isinstance(parts, list):
        raise proto_value(f"{path}.parts", "google.ai.generativelanguage.v1beta.Part", parts)
    for index, part in enumerate(parts):
        _part(part, f"{path}.parts[{index}]", signatures)


def _part(part: Any, path: str, signatures: set[str]) -> None:
    if not isinstance(part, dict):
        raise proto_value(path, "google.ai.generativelanguage.v1beta.Part", part)
    known(part, PART, path)
    present = [name for name in PART_DATA if get(part, name) is not None]
    if not present:
        raise missing(f"{path}.data", "required oneof field 'data' must have one initialized field")
    if len(present) > 1:
        raise Rejected(
            f"Invalid JSON payload received. Oneof field 'data' is already set. Cannot set '{present[1]}'"
        )
    signature = get(part, "thoughtSignature")
    if signature is not None and signature != SKIP_SIGNATURE:
        _signature(signature, f"{path}.thought_signature", signatures)
    call = get(part, "functionCall")
    if call is not None:
        _function_call(call, f"{path}.function_call")
    response = get(part, "functionResponse")
    if response is not None:
        _function_response(response, f"{path}.function_response")


def _signature(signature: Any, path: str, signatures: set[str]) -> None:
    """thoughtSignature is a protobuf `bytes` field: compared decoded, in either base64 alphabet."""
    decoded = _bytes(signature) if isinstance(signature, str) else None
    if decoded is None:
        raise proto_value(path, "TYPE_BYTES", signature)
    if decoded not in {_bytes(issued) for issued in signatures}:
        raise Rejected("Corrupted thought signature.")


def _bytes(value: str) -> bytes | None:
    normal = value.replace("+", "-").replace("/", "_") + "=" * (-len(value) % 4)
    try:
        return base64.b64decode(normal, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None


def _function_call(call: Any, path: str) -> None:
    if not isinstance(call, dict):
        raise proto_value(path, "google.ai.generativelanguage.v1beta.FunctionCall", call)
    known(call, FUNCTION_CALL, path)
    if not get(call, "name"):
        raise missing(f"{path}.name", "Name cannot be empty.")
    args = get(call, "args")
    if args is not None and not isinstance(args, dict):
        raise proto_value(f"{path}.args", "google.protobuf.Struct", args)


def _function_response(response: Any, path: str) -> None:
    if not isinstance(response, dict):
        raise proto_value(path, "google.ai.generativelanguage.v1beta.FunctionResponse", response)
    known(response, FUNCTION_RESPONSE, path)
    if not get(response, "name"):
        raise missing(f"{path}.name", "Name cannot be empty.")
    value = get(response, "response")
    if not isinstance(value, dict):
        raise proto_value(f"{path}.response", "google.protobuf.Struct", value)


def _signed_calls(contents: list[dict[str, Any]]) -> None:
    """Gemini 3: in the current turn, each model step's first functionCall part carries a signature."""
    start = 0
    for index, content in enumerate(contents):
        parts = get(content, "parts")
        if get(content, "role") != "model" and any(get(p, "functionResponse") is None for p in parts):
            start = index + 1
    for index in range(start, len(contents)):
        content = contents[index]
        calls = [p for p in get(content, "parts") if get(p, "functionCall") is not None]
        if get(content, "role") == "model" and calls and get(calls[0], "thoughtSignature") is None:
            name = get(calls[0], "functionCall").get("name")
            raise Rejected(
                "Function call is missing a thought_signature in functionCall parts. This is required for "
                "tools to work correctly, and missing thought_signature may lead to degraded model "
                f"performance. Additional data, function call `default_api:{name}` , position {index + 1}. "
                "Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
            )


def _tools(tools: Any) -> None:
    if tools is None:
        return
    for index, tool in enumerate(_list(tools, "tools", "Tool")):
        path = f"tools[{index}]"
        known(_object(tool, path, "Tool"), TOOL, path)
        declarations = get(tool, "functionDeclarations") or []
        for number, declaration in enumerate(
            _list(declarations, f"{path}.function_declarations", "FunctionDeclaration")
        ):
            _declaration(declaration, f"{path}.function_declarations[{number}]")


def _object(value: Any, path: str, message: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise proto_value(path, f"google.ai.generativelanguage.v1beta.{message}", value)
    return value


def _list(value: Any, path: str, message: str) -> list[Any]:
    if not isinstance(value, list):
        raise proto_value(path, f"google.ai.generativelanguage.v1beta.{message}", value)
    return value


def _declaration(declaration: Any, path: str) -> None:
    known(_object(declaration, path, "FunctionDeclaration"), DECLARATION, path)
    name = get(declaration, "name")
    if not isinstance(name, str) or not FUNCTION_NAME.match(name):
        raise missing(
            f"{path}.name",
            "Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, "
            "0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 64.",
        )
    parameters = get(declaration, "parameters")
    if parameters is not None and get(declaration, "parametersJsonSchema") is not None:
        raise missing(f"{path}.parameters", "parameters and parameters_json_schema cannot both be set.")
    if parameters is not None:
        _schema(parameters, f"{path}.parameters")


def _schema(schema: Any, path: str) -> None:
    if not isinstance(schema, dict):
        raise proto_value(path, "google.ai.generativelanguage.v1beta.Schema", schema)
    known(schema, SCHEMA, path)
    kind = str(get(schema, "type") or "").upper()
    properties = get(schema, "properties")
    if kind == "OBJECT" and not properties:
        raise missing(f"{path}.properties", "should be non-empty for OBJECT type")
    if properties is not None and not isinstance(properties, dict):
        raise proto_value(f"{path}.properties", "google.ai.generativelanguage.v1beta.Schema", properties)
    for name, sub in (properties or {}).items():
        _schema(sub, f"{path}.properties[{name}].value")
    if get(schema, "items") is not None:
        _schema(get(schema, "items"), f"{path}.items")
    for number, sub in enumerate(get(schema, "anyOf") or []):
        _schema(sub, f"{path}.any_of[{number}]")


def _generation(config: Any) -> None:
    if config is None:
        return
    known(_object(config, "generation_config", "GenerationConfig"), GENERATION, "generation_config")
    thinking = get(config, "thinkingConfig")
    if thinking is None:
        return
    path = "generation_config.thinking_config"
    known(_object(thinking, path, "ThinkingConfig"), THINKING, path)
    if get(thinking, "thinkingBudget") is not None and get(thinking, "thinkingLevel") is not None:
        raise Rejected("You can only set only one of thinking budget and thinking level.")
