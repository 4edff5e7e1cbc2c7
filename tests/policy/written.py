"""Written requests for the classifier's labelled set: one spec, rendered as a body in
each of the four client dialects, so every dialect is classified the same way.

Each label is what the request needs (`labels.RUBRIC`), with its reason from the
request's content. The specs after "Added with reasons" were labelled before the
classifier was run on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAHnOcQAAAAABJRU5ErkJggg=="
SCHEMA = {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    prompt: str
    tier: str  # the label (`labels.RUBRIC`)
    why: str = ""  # the label's reason, from the request's content
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

FLOOR_TOOLS = "offers tools: the default tools floor is medium"

SPECS: tuple[Spec, ...] = (
    Spec("capital", "What is the capital of France?", "simple", "one fact any model knows"),
    Spec("translate", "Translate 'good morning' to Spanish.", "simple", "a two-word translation"),
    Spec(
        "greeting", "Hello! How are you today?", "simple",
        "small talk: the long policy manual in the system prompt does not make a greeting harder",
        system=LONG_SYSTEM,
    ),
    Spec(
        "small-function", "Write a function that adds two numbers:\n```python\ndef add(a, b):\n```", "simple",
        "a one-line function",
    ),
    Spec(
        "list-files", "List the files in this folder.", "medium", f"a routine request, but it {FLOOR_TOOLS}",
        tools=3,
    ),
    Spec(
        "debug",
        "Why does this crash? Debug it:\n```\nTraceback (most recent call last):\n"
        "  File 'app.py'\nKeyError: 'id'\n```",
        "medium", "a short traceback to read and explain: routine debugging",
    ),
    Spec(
        "refactor",
        "Refactor this module: first split the parser out, then add tests, finally update the docs."
        "\n```python\nclass Parser:\n    pass\n```",
        "medium", "three routine coding steps on a small module",
    ),
    Spec(
        "long-chat", "Now compare the two designs and plan the migration.", "complex",
        "comparing two designs and planning a migration, with 20 exchanges of context to keep",
        history=20,
    ),
    Spec(
        "summarize-long", "Summarize this report in five bullet points:\n" + DOCUMENT, "medium",
        "summarizing is routine, but the report is about 70k tokens: a model with a large window",
    ),
    Spec(
        "photo", "What is in this picture?", "complex",
        "describing a picture is easy, but it has an image: the default images floor is complex", images=1,
    ),
    Spec(
        "repeating-agent", "Continue.", "complex",
        "an agent that called the same tool on the same file twice: escalate one tier above medium",
        tools=2, calls=("a.txt", "b.txt", "a.txt"),
    ),
    Spec(
        "architecture",
        "Design the architecture of a distributed rate limiter: analyze the trade-offs, "
        "first for one region, then for many, and finally write the plan.",
        "complex", "a distributed-systems design with trade-offs, planned in stages", tools=4, effort="high",
    ),
    Spec(
        "proof", "Prove that there are infinitely many primes.", "complex",
        "a proof, but a famous three-line one (Euclid) that strong models recall rather than derive",
    ),
    Spec(
        "hard-proof",
        "Think hard: first derive the closed form of T(n) = 2T(n/2) + n, "
        "then prove it by induction step by step.",
        "reasoning", "a derivation then an induction proof, asked to think hard, high effort", effort="high",
    ),
    Spec(
        "formal",
        "Give a rigorous proof of the theorem, then analyze why each step holds, "
        "and finally state the invariant.",
        "reasoning", "a rigorous proof with a justification per step, high effort", effort="high", history=3,
    ),
    # Added with reasons, labelled before the classifier was run on them.
    Spec(
        "spelling", "Fix the spelling: 'I will recieve the pakage tommorow.'", "simple",
        "a one-line text fix",
    ),
    Spec(
        "title", "Write a five-word title for this conversation: the user asked how to rename a git branch.",
        "simple", "a title for a one-line topic",
    ),
    Spec("convert", "How many kilometres is 26.2 miles?", "simple", "one unit conversion"),
    Spec(
        "sentiment", "Is this review positive or negative? 'The battery died after two days.'", "simple",
        "a one-sentence classification",
    ),
    Spec(
        "to-json", "Turn this into JSON: name Ada Lovelace, born 1815, field mathematics.", "simple",
        "reformatting three facts",
    ),
    Spec(
        "email",
        "Draft a polite email to a customer explaining that their refund will take 10 business days, "
        "and offer a 10% voucher for the wait.",
        "simple", "a short routine email: small models write these well",
    ),
    Spec(
        "sql",
        "Write a SQL query that returns the ten customers with the highest total order value in 2025, "
        "from the tables customers(id, name) and orders(id, customer_id, total, placed_at).",
        "medium", "a join, a filter, a grouping and an ordering: routine but not trivial code",
    ),
    Spec(
        "unit-tests",
        "Write pytest tests for this function, covering empty input, unicode and repeated dashes:\n"
        "```python\ndef slugify(text: str) -> str:\n    ...\n```",
        "medium", "tests for several edge cases of a small function",
    ),
    Spec(
        "explain-code",
        "Explain what this does and its running time:\n```python\ndef find(xs, x):\n    lo, hi = 0, len(xs)\n"
        "    while lo < hi:\n        mid = (lo + hi) // 2\n        if xs[mid] < x: lo = mid + 1\n"
        "        else: hi = mid\n    return lo\n```",
        "medium", "reading a short algorithm (binary search) and stating its complexity",
    ),
    Spec(
        "review-diff",
        "Review this diff for bugs:\n```diff\n-    if user is None:\n+    if not user:\n"
        "         raise NotFound()\n```",
        "medium", "a small code review with one subtle behaviour change",
    ),
    Spec(
        "agent-edit", "Now apply the fix to the file.", "medium",
        f"a routine agent step after reading one file; it {FLOOR_TOOLS}", tools=5, calls=("src/app.py",),
    ),
    Spec(
        "agent-long", "Continue with the next failing test.", "medium",
        f"a routine step deep into a long agent session; it {FLOOR_TOOLS}", tools=6, history=30,
    ),
    Spec(
        "monolith-split",
        "Plan how to move the user service out of our monolith: analyze the trade-offs of a shared database "
        "against syncing by events, first for reads, then for writes.",
        "complex", "a service split with data-consistency trade-offs, planned in stages",
    ),
    Spec(
        "deadlock",
        "This service deadlocks under load about once a day. Why, and how would you redesign the locking?\n"
        "```go\nfunc (s *Store) Move(a, b *Account) {\n    a.mu.Lock()\n    b.mu.Lock()\n    // ...\n}\n```",
        "complex", "a lock-ordering deadlock to find and a locking redesign",
    ),
    Spec(
        "screenshot-bug", "The layout breaks in this screenshot: which CSS rule causes it?", "complex",
        "diagnosing a layout from an image: the default images floor is complex", images=1,
    ),
    Spec(
        "dijkstra",
        "Prove that Dijkstra's algorithm is correct when edge weights are non-negative, "
        "and derive its running time with a binary heap.",
        "reasoning", "a correctness proof by invariant and a complexity derivation",
    ),
    Spec(
        "functional-equation",
        "Find all functions f from the reals to the reals with f(x + y) = f(x) + f(y) and f(xy) = f(x)f(y). "
        "Justify every step rigorously.",
        "reasoning", "an olympiad functional equation, solved with a rigorous argument",
    ),
    Spec(
        "divisibility", "Let n be a positive integer. Show that n^5 - n is divisible by 30.", "reasoning",
        "a number-theory proof (mod 2, 3 and 5), though it never says 'prove'",
    ),
    Spec(
        "labels-puzzle",
        "Three boxes are labelled apples, oranges and mixed, and every label is wrong. You may take one "
        "fruit from one box. Think step by step: which box do you pick, and prove your answer determines "
        "all three labels.",
        "reasoning", "a logic puzzle whose answer needs a case-by-case deduction",
    ),
)  # fmt: skip
