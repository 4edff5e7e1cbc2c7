"""Every field's TYPE, fuzzed through the real app, on every dialect's routes.

Start from valid requests real clients sent (tests/fixtures/client-requests, plus a Chat
tool round trip written out in full, since the captured Chat bodies are tiny), and
replace each field, at every depth, with a value of every other JSON type: object,
list, string, number, a 64-bit-busting integer, boolean, null. Whatever the mutation,
the route answers 200 (a clean answer, streamed or not) or a 4xx in its dialect's own
error shape: never a 500, never a traceback, never a stream that breaks off.

Fields repeat (twelve tools of one shape, a schema's properties): each shape is
mutated once, keyed by its path with list positions replaced by the element's `type` or
`role` and schema property names by `*`. Mutation k is sent to upstream dialect k mod 4,
so every upstream renders mutated requests of every client dialect.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import UPSTREAM_MODELS, providers_for, serve_gateway

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "client-requests"
# One model per upstream dialect. The Responses fake's gpt-5 is a reasoning model that
# refuses the temperature real clients send (Gemini CLI does): a plain model is fuzzed.
MODEL_OF = {
    **{dialect: models[0] for dialect, models in UPSTREAM_MODELS.items()},
    "openai_responses": "gpt-4o-mini",
}
UPSTREAMS = list(MODEL_OF)
CONCURRENCY = 16

# One value per JSON type; `huge` is a number too, but one no upstream body can carry.
VALUES: dict[str, Any] = {
    "object": {},
    "list": [1],
    "string": "fuzz",
    "number": -1.5,
    "huge": 10**30,
    "boolean": True,
    "null": None,
}
# Keys under which a JSON Schema names properties: their names are data, not fields.
NAMED_BY_DATA = frozenset({"properties", "$defs", "definitions", "patternProperties"})

Path_ = tuple[str | int, ...]


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {dict: "object", list: "list", str: "string", type(None): "null"}[type(value)]


def shapes(body: Any) -> dict[str, Path_]:
    """One path per field shape in `body`, the first where that shape occurs."""
    found: dict[str, Path_] = {}
    _walk(body, (), "$", found)
    return found


def _walk(value: Any, path: Path_, key: str, found: dict[str, Path_]) -> None:
    found.setdefault(key, path)
    if isinstance(value, dict):
        by_data = key.rsplit(".", 1)[-1] in NAMED_BY_DATA
        for name, item in value.items():
            _walk(item, (*path, name), f"{key}.{'*' if by_data else name}", found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, (*path, index), f"{key}[{_tag(item)}]", found)


def _tag(item: Any) -> str:
    if isinstance(item, dict):
        for name in ("type", "role"):
            if isinstance(item.get(name), str):
                return f"{name}={item[name]}"
    return "*"


def replaced(body: Any, path: Path_, value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(body))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


def label(path: Path_) -> str:
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path) or "(body)"


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    dialect: str
    # `{model}` is filled in per mutation: in the path for Gemini, else in the body.
    path: str
    bases: tuple[Any, ...]

    def url(self, model: str) -> str:
        return self.path.format(model=model)

    def with_model(self, body: Any, model: str) -> Any:
        if "{model}" in self.path or not isinstance(body, dict):
            return body
        return {**body, "model": model}


def capture(name: str, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text())["body"]
    return {key: value for key, value in body.items() if key not in drop}


# A Chat tool round trip as the openai SDK sends it, every field the dialect reads set.
CHAT_ROUND_TRIP: dict[str, Any] = {
    "model": "m",
    "messages": [
        {"role": "system", "content": "Be terse."},
        {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}]},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Weather in Paris?"},
                {
                    "type": "image_url",
                    "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"},
                },
                {
                    "type": "file",
                    "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "a.pdf"},
                },
            ],
        },
        {
            "role": "assistant",
            "content": "Let me look.",
            "reasoning_content": "The user wants weather.",
            "tool_calls": [
                {
                    "id": "call_w1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_w1", "content": [{"type": "text", "text": "18C"}]},
        {"role": "assistant", "content": None, "function_call": {"name": "get_time", "arguments": "{}"}},
        {"role": "function", "name": "get_time", "content": "14:05"},
    ],
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Current weather",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
                "strict": True,
            },
        }
    ],
    "functions": [
        {"name": "get_time", "description": "Time", "parameters": {"type": "object", "properties": {}}}
    ],
    "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
    "parallel_tool_calls": True,
    "max_completion_tokens": 200,
    # No temperature or top_p: the Responses fake's gpt-5, a reasoning model, refuses them.
    "stop": ["END"],
    "seed": 7,
    "presence_penalty": 0.1,
    "frequency_penalty": 0.1,
    "response_format": {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": True},
    },
    "reasoning_effort": "low",
    "user": "user-1",
    "metadata": {"k": "v"},
    "stream": True,
    "stream_options": {"include_usage": True},
    "n": 1,
}

ROUTES = [
    Route(
        "chat",
        "openai_chat",
        "/v1/chat/completions",
        (
            CHAT_ROUND_TRIP,
            capture("python-sdks/01-openai.chat.json"),
            capture("python-sdks/02-openai.chat.stream.json"),
        ),
    ),
    Route(
        "responses",
        "openai_responses",
        "/v1/responses",
        (
            capture("codex/03-openai.responses.stream.json"),
            capture("codex/07-openai.responses.stream.json"),
            capture("python-sdks/03-openai.responses.json"),
        ),
    ),
    Route(
        "messages",
        "anthropic",
        "/v1/messages",
        (
            capture("claude-code/03-anthropic.messages.stream.json"),
            capture("claude-code/01-anthropic.messages.stream.json"),
            capture("python-sdks/07-anthropic.messages.json"),
        ),
    ),
    Route(
        "count_tokens",
        "anthropic",
        "/v1/messages/count_tokens",
        (
            capture("python-sdks/09-anthropic.count_tokens.json"),
            capture("claude-code/03-anthropic.messages.stream.json", drop=("max_tokens", "stream")),
        ),
    ),
    Route(
        "generateContent",
        "gemini",
        "/v1beta/models/{model}:generateContent",
        (capture("gemini-cli/03-gemini.stream.json"), capture("python-sdks/16-gemini.generate.json")),
    ),
    Route(
        "streamGenerateContent",
        "gemini",
        "/v1beta/models/{model}:streamGenerateContent?alt=sse",
        (capture("gemini-cli/08-gemini.stream.json"), capture("gemini-cli/06-gemini.generate.json")),
    ),
    Route(
        "countTokens",
        "gemini",
        "/v1beta/models/{model}:countTokens",
        (
            capture("python-sdks/17-gemini.count_tokens.json"),
            {"generateContentRequest": capture("gemini-cli/03-gemini.stream.json")},
        ),
    ),
]


def mutations(route: Route) -> Iterator[tuple[str, Any]]:
    """(what was changed, the mutated body), each field shape once over all the bases."""
    seen: set[str] = set()
    for number, base in enumerate(route.bases):
        for key, path in shapes(base).items():
            if key in seen:
                continue
            seen.add(key)
            original = _at(base, path)
            for name, value in VALUES.items():
                if name != "huge" and json_type(value) == json_type(original):
                    continue
                yield f"base {number} {label(path)} = {name}", replaced(base, path, value)


def _at(body: Any, path: Path_) -> Any:
    for step in path:
        body = body[step]
    return body


# --- what a good answer looks like, per dialect -------------------------------------


def error_shape(dialect: str, body: Any) -> bool:
    if not isinstance(body, dict):
        return False
    error = body.get("error")
    if dialect == "anthropic":
        return (
            body.get("type") == "error" and isinstance(error, dict) and isinstance(error.get("message"), str)
        )
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return False
    if dialect == "gemini":
        return isinstance(error.get("code"), int) and isinstance(error.get("status"), str)
    return isinstance(error.get("type"), str)


# (marker of a cleanly finished stream, marker of an error inside it)
STREAM_MARKERS: dict[str, tuple[str, str]] = {
    "openai_chat": ("data: [DONE]", '"error":'),
    "openai_responses": ("event: response.completed", "event: error"),
    "anthropic": ("event: message_stop", "event: error"),
    "gemini": ('"finishReason"', '"error":'),
}


def problem(route: Route, response: httpx.Response) -> str | None:
    """What is wrong with the answer to a mutated request, or None."""
    if response.status_code == 200:
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            done, failed = STREAM_MARKERS[route.dialect]
            if done not in response.text or failed in response.text:
                return f"200 stream not cleanly finished: {response.text[-300:]!r}"
            return None
        return (
            None
            if isinstance(response.json(), dict)
            else f"200 with a non-object body {response.text[:200]!r}"
        )
    if not 400 <= response.status_code < 500:
        return f"{response.status_code}: {response.text[:300]}"
    try:
        body = response.json()
    except json.JSONDecodeError:
        body = None
    if not error_shape(route.dialect, body):
        return f"{response.status_code} not in the {route.dialect} error shape: {response.text[:300]}"
    return None


async def _send_all(root: str, route: Route) -> list[str]:
    cases = list(mutations(route))
    limit = asyncio.Semaphore(CONCURRENCY)
    problems: list[str] = []

    async def send(number: int, what: str, body: Any, client: httpx.AsyncClient) -> None:
        model = MODEL_OF[UPSTREAMS[number % len(UPSTREAMS)]]
        content = json.dumps(route.with_model(body, model))
        async with limit:
            response = await client.post(
                route.url(model),
                content=content,
                headers={"content-type": "application/json"},
            )
        found = problem(route, response)
        if found is not None:
            problems.append(f"{what} (to {model}): {found}")

    async with httpx.AsyncClient(base_url=root, timeout=60) as client:
        await asyncio.gather(*(send(n, what, body, client) for n, (what, body) in enumerate(cases)))
    return problems


@pytest.fixture(scope="module")
def fuzzed(gateway_home: None, fake_upstreams_session: FakeUpstreams) -> Iterator[str]:
    providers = providers_for(fake_upstreams_session)
    providers["up_openai_responses"]["models"] = [MODEL_OF["openai_responses"]]
    with serve_gateway(fake_upstreams_session, providers=providers) as root:
        yield root


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_the_unmutated_bases_are_answered(fuzzed: str, route: Route) -> None:
    """The fuzz means something only if each base request is itself accepted."""
    for model in MODEL_OF.values():
        for base in route.bases:
            response = httpx.post(
                fuzzed + route.url(model),
                json=route.with_model(base, model),
                timeout=60,
            )
            assert response.status_code == 200, (model, response.text[:500])
            assert problem(route, response) is None


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_every_field_of_every_type_is_a_clean_answer_or_a_4xx(fuzzed: str, route: Route) -> None:
    problems = asyncio.run(_send_all(fuzzed, route))
    assert not problems, f"{len(problems)} bad answers:\n" + "\n".join(sorted(problems)[:60])
