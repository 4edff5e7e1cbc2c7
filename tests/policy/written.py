"""Written requests for the classifier's labelled set: one spec, rendered as a body in
each of the four client dialects, so every dialect is classified the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAHnOcQAAAAABJRU5ErkJggg=="
SCHEMA = {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    prompt: str
    tier: str  # the label: what a person would pick
    tools: int = 0
    images: int = 0
    history: int = 0  # earlier user/assistant exchanges
    system: str = ""
    effort: str | None = None
    calls: tuple[str, ...] = ()  # earlier tool calls (their arguments), each answered


def body(spec: Spec, dialect: str, model: str = "auto") -> dict[str, Any]:
    return BUILDERS[dialect](spec, model)


def _tool_names(spec: Spec) -> list[str]:
    return [f"tool_{n}" for n in range(max(spec.tools, 1 if spec.calls else 0))]


def _anthropic(spec: Spec, model: str) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    for n in range(spec.history):
        messages += [
            {"role": "user", "content": f"question {n}"},
            {"role": "assistant", "content": f"answer {n}"},
        ]
    for n, arguments in enumerate(spec.calls):
        messages += [
            {"role": "user", "content": "go on"},
            {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": f"toolu_{n}", "name": "tool_0", "input": {"path": arguments}}
                ],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": f"toolu_{n}", "content": "done"}],
            },
            {"role": "assistant", "content": "next"},
        ]
    content: list[dict[str, Any]] = [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PIXEL}}
        for _ in range(spec.images)
    ]
    messages.append({"role": "user", "content": [*content, {"type": "text", "text": spec.prompt}]})
    result: dict[str, Any] = {"model": model, "max_tokens": 1024, "messages": messages}
    if spec.system:
        result["system"] = spec.system
    if spec.tools or spec.calls:
        result["tools"] = [
            {"name": name, "description": "a tool", "input_schema": SCHEMA} for name in _tool_names(spec)
        ]
    if spec.effort:
        result["thinking"] = {"type": "enabled", "budget_tokens": 32000 if spec.effort == "high" else 2048}
    return result


def _chat(spec: Spec, model: str) -> dict[str, Any]:
    messages: list[dict[str, Any]] = [{"role": "system", "content": spec.system}] if spec.system else []
    for n in range(spec.history):
        messages += [
            {"role": "user", "content": f"question {n}"},
            {"role": "assistant", "content": f"answer {n}"},
        ]
    for n, arguments in enumerate(spec.calls):
        call = {
            "id": f"call_{n}",
            "type": "function",
            "function": {"name": "tool_0", "arguments": f'{{"path": "{arguments}"}}'},
        }
        messages += [
            {"role": "user", "content": "go on"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": f"call_{n}", "content": "done"},
            {"role": "assistant", "content": "next"},
        ]
    images = [
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PIXEL}"}}
        for _ in range(spec.images)
    ]
    messages.append({"role": "user", "content": [*images, {"type": "text", "text": spec.prompt}]})
    result: dict[str, Any] = {"model": model, "messages": messages}
    if spec.tools or spec.calls:
        result["tools"] = [
            {"type": "function", "function": {"name": name, "description": "a tool", "parameters": SCHEMA}}
            for name in _tool_names(spec)
        ]
    if spec.effort:
        result["reasoning_effort"] = spec.effort
    return result


def _responses(spec: Spec, model: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for n in range(spec.history):
        items += [
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": f"question {n}"}]},
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": f"answer {n}"}],
            },
        ]
    for n, arguments in enumerate(spec.calls):
        items += [
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "go on"}]},
            {
                "type": "function_call",
                "call_id": f"call_{n}",
                "name": "tool_0",
                "arguments": f'{{"path": "{arguments}"}}',
            },
            {"type": "function_call_output", "call_id": f"call_{n}", "output": "done"},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "next"}]},
        ]
    images = [
        {"type": "input_image", "image_url": f"data:image/png;base64,{PIXEL}"} for _ in range(spec.images)
    ]
    items.append(
        {"type": "message", "role": "user", "content": [*images, {"type": "input_text", "text": spec.prompt}]}
    )
    result: dict[str, Any] = {"model": model, "input": items}
    if spec.system:
        result["instructions"] = spec.system
    if spec.tools or spec.calls:
        result["tools"] = [
            {"type": "function", "name": name, "description": "a tool", "parameters": SCHEMA}
            for name in _tool_names(spec)
        ]
    if spec.effort:
        result["reasoning"] = {"effort": spec.effort}
    return result


def _gemini(spec: Spec, model: str) -> dict[str, Any]:
    contents: list[dict[str, Any]] = []
    for n in range(spec.history):
        contents += [
            {"role": "user", "parts": [{"text": f"question {n}"}]},
            {"role": "model", "parts": [{"text": f"answer {n}"}]},
        ]
    for arguments in spec.calls:
        contents += [
            {"role": "user", "parts": [{"text": "go on"}]},
            {"role": "model", "parts": [{"functionCall": {"name": "tool_0", "args": {"path": arguments}}}]},
            {
                "role": "user",
                "parts": [{"functionResponse": {"name": "tool_0", "response": {"output": "done"}}}],
            },
            {"role": "model", "parts": [{"text": "next"}]},
        ]
    images = [{"inlineData": {"mimeType": "image/png", "data": PIXEL}} for _ in range(spec.images)]
    contents.append({"role": "user", "parts": [*images, {"text": spec.prompt}]})
    result: dict[str, Any] = {"contents": contents}
    if spec.system:
        result["systemInstruction"] = {"parts": [{"text": spec.system}]}
    if spec.tools or spec.calls:
        declarations = [
            {"name": name, "description": "a tool", "parameters": SCHEMA} for name in _tool_names(spec)
        ]
        result["tools"] = [{"functionDeclarations": declarations}]
    if spec.effort:
        result["generationConfig"] = {
            "thinkingConfig": {"thinkingBudget": 32000 if spec.effort == "high" else 2048}
        }
    return result


BUILDERS = {"anthropic": _anthropic, "openai_chat": _chat, "openai_responses": _responses, "gemini": _gemini}

LONG_SYSTEM = "You are a careful assistant for an insurance company. Follow the policy manual. " * 200
DOCUMENT = "The quarterly report describes revenue, costs and the outlook for each region. " * 3600

SPECS: tuple[Spec, ...] = (
    Spec("capital", "What is the capital of France?", "simple"),
    Spec("translate", "Translate 'good morning' to Spanish.", "simple"),
    Spec("greeting", "Hello! How are you today?", "simple", system=LONG_SYSTEM),
    Spec(
        "small-function", "Write a function that adds two numbers:\n```python\ndef add(a, b):\n```", "simple"
    ),
    Spec("list-files", "List the files in this folder.", "medium", tools=3),
    Spec(
        "debug",
        "Why does this crash? Debug it:\n```\nTraceback (most recent call last):\n"
        "  File 'app.py'\nKeyError: 'id'\n```",
        "medium",
    ),
    Spec(
        "refactor",
        "Refactor this module: first split the parser out, then add tests, finally update the docs."
        "\n```python\nclass Parser:\n    pass\n```",
        "medium",
    ),
    Spec("long-chat", "Now compare the two designs and plan the migration.", "medium", history=20),
    Spec("summarize-long", "Summarize this report in five bullet points:\n" + DOCUMENT, "medium"),
    Spec("photo", "What is in this picture?", "complex", images=1),
    Spec("repeating-agent", "Continue.", "complex", tools=2, calls=("a.txt", "b.txt", "a.txt")),
    Spec(
        "architecture",
        "Design the architecture of a distributed rate limiter: analyze the trade-offs, "
        "first for one region, then for many, and finally write the plan.",
        "complex",
        tools=4,
        effort="high",
    ),
    Spec("proof", "Prove that there are infinitely many primes.", "complex"),
    Spec(
        "hard-proof",
        "Think hard: first derive the closed form of T(n) = 2T(n/2) + n, "
        "then prove it by induction step by step.",
        "reasoning",
        effort="high",
    ),
    Spec(
        "formal",
        "Give a rigorous proof of the theorem, then analyze why each step holds, "
        "and finally state the invariant.",
        "reasoning",
        effort="high",
        history=3,
    ),
)
