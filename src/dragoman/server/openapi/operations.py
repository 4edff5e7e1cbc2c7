"""Every operation dragoman serves, as data: which route serves it, in which dialect it
answers errors, and the schema of what it takes.

`document.build()` turns this table into the OpenAPI description served at
`/openapi.json`; tests/server/openapi/test_document.py checks it against the app's own
routing table both ways (every route listed, nothing listed that the app does not route).
A new route is added here and in `server.routes` together, or that test fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from dragoman.dialects.anthropic import wire as anthropic
from dragoman.dialects.gemini import wire as gemini
from dragoman.dialects.openai_chat import wire as chat
from dragoman.dialects.openai_responses import wire as responses
from dragoman.observe.traces.filters import PurgeQuery, TraceQuery, UsageQuery
from dragoman.policy.key_options import KeyOptions
from dragoman.server.admin.adding import NewAccount
from dragoman.server.admin.patch import PolicyPatch

# Who draws a route's errors: a dialect, or ASKED (the request's look decides: a
# `/v1beta/` path or Gemini key is Gemini, `anthropic-version` is Anthropic, else OpenAI).
ASKED = "asked"

# A body: a wire TypedDict, a pydantic model, or a JSON Schema written out.
Body = type | dict[str, Any]


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    schema: dict[str, Any]
    description: str = ""


@dataclass(frozen=True, slots=True)
class Operation:
    route: str  # the Starlette path of the route that serves it
    method: str
    summary: str
    tag: str
    dialect: str
    path: str = ""  # the documented path, when it is not the route's
    body: Body | None = None
    query: tuple[Param, ...] | type[BaseModel] = ()
    answer: Body | None = None  # the 200 body, when a wire type says it
    body_media: str = "application/json"
    keyed: bool = True  # behind the local key

    @property
    def documented_path(self) -> str:
        return self.path or _plain(self.route)


def _plain(route: str) -> str:
    # `{model:path}` is Starlette's convertor; OpenAPI knows only `{model}`.
    return route.replace(":path}", "}")


_STRING = {"type": "string"}
_LIMIT = Param("limit", {"type": "integer", "minimum": 1}, "page size")
_COUNT_ANTHROPIC = {"$typed": anthropic.MessageCreateBody, "$required": ["messages", "model"]}
_GEMINI_COUNT = {
    "type": "object",
    "properties": {
        "contents": {"type": "array", "items": {"$typed": gemini.Content}},
        "generateContentRequest": {"$typed": gemini.GenerateContentRequest},
    },
}
_BATCH = {
    "type": "object",
    "required": ["requests"],
    "properties": {
        "requests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["custom_id", "params"],
                "properties": {"custom_id": _STRING, "params": {"$typed": anthropic.MessageCreateBody}},
            },
        }
    },
}
_IMAGES = {
    "type": "object",
    "required": ["model", "prompt"],
    "properties": {
        "model": _STRING,
        "prompt": _STRING,
        "n": {"type": "integer", "minimum": 1},
        "size": _STRING,
        "quality": _STRING,
        "response_format": {"enum": ["url", "b64_json"]},
        "output_format": _STRING,
        "background": _STRING,
        "user": _STRING,
    },
}
_IMAGE_EDITS = {
    "type": "object",
    "required": ["model", "prompt", "image"],
    "properties": {
        **_IMAGES["properties"],  # type: ignore[dict-item]
        "image": {
            "type": "string",
            "format": "binary",
            "description": "one image file, or several as image[]",
        },
        "mask": {"type": "string", "format": "binary"},
    },
}
_NEW_KEY = {"$model": KeyOptions, "$with": {"name": _STRING}, "$required": ["name"]}


def _speaks(route: str, summary: str, dialect: str, body: Body, answer: Body | None = None) -> Operation:
    """A dialect's POST route: tagged with, and answering errors in, its dialect."""
    return Operation(route, "POST", summary, dialect, dialect, body=body, answer=answer)


def _dialects() -> list[Operation]:
    chat_body = {"$typed": chat.Request, "$required": ["messages", "model"]}
    responses_body = {"$typed": responses.RequestBody, "$required": ["model"]}
    said, chat_said, responses_said = "anthropic", "openai_chat", "openai_responses"
    return [
        _speaks("/v1/messages", "Anthropic Messages", said, anthropic.MessageCreateBody, anthropic.Message),
        _speaks("/v1/messages/count_tokens", "Anthropic token count", said, _COUNT_ANTHROPIC,
                anthropic.CountTokensResult),
        _speaks("/v1/chat/completions", "OpenAI Chat Completions", chat_said, chat_body, chat.Completion),
        _speaks("/v1/responses", "OpenAI Responses", responses_said, responses_body, responses.ResponseBody),
        _speaks("/v1/responses/input_tokens", "OpenAI Responses token count", responses_said, responses_body),
        _speaks("/v1/responses/compact", "OpenAI Responses compaction", responses_said, responses_body),
        _speaks("/v1/images/generations", "OpenAI image generation", chat_said, _IMAGES),
        Operation("/v1/images/edits", "POST", "OpenAI image edits", chat_said, chat_said, body=_IMAGE_EDITS,
                  body_media="multipart/form-data"),
        *_gemini("/v1/models/{target:path}", "/v1/models"),
        *_gemini("/v1beta/models/{target:path}", "/v1beta/models"),
    ]  # fmt: skip


def _gemini(route: str, prefix: str) -> list[Operation]:
    """Gemini's methods: one route (`{target:path}` is `MODEL:METHOD`), documented per method."""
    alt = Param("alt", {"enum": ["sse", "json"]}, "sse: server-sent events; otherwise one JSON array")
    generate, answer = gemini.GenerateContentRequest, gemini.GenerateContentResponse
    return [
        Operation(route, "POST", "Gemini generateContent", "gemini", "gemini",
                  path=f"{prefix}/{{model}}:generateContent", body=generate, answer=answer),
        Operation(route, "POST", "Gemini streamGenerateContent", "gemini", "gemini",
                  path=f"{prefix}/{{model}}:streamGenerateContent", body=generate, query=(alt,)),
        Operation(route, "POST", "Gemini countTokens", "gemini", "gemini",
                  path=f"{prefix}/{{model}}:countTokens", body=_GEMINI_COUNT),
    ]  # fmt: skip


def _stored() -> list[Operation]:
    one, tag, said = "/v1/responses/{response_id}", "openai_responses", "openai_responses"
    pages = (
        _LIMIT,
        Param("order", {"enum": ["asc", "desc"]}),
        Param("after", _STRING),
        Param("before", _STRING),
    )
    return [
        Operation(one, "GET", "A stored response", tag, said),
        Operation(one, "DELETE", "Delete a stored response", tag, said),
        Operation(f"{one}/cancel", "POST", "Cancel a background response", tag, said),
        Operation(f"{one}/input_items", "GET", "A stored response's input items", tag, said, query=pages),
    ]


def _batches() -> list[Operation]:
    many, one, tag = "/v1/messages/batches", "/v1/messages/batches/{batch_id}", "batches"
    pages = (_LIMIT, Param("after_id", _STRING), Param("before_id", _STRING))
    return [
        Operation(many, "POST", "Create a Message Batch", tag, "anthropic", body=_BATCH),
        Operation(many, "GET", "List Message Batches", tag, "anthropic", query=pages),
        Operation(one, "GET", "A Message Batch", tag, "anthropic"),
        Operation(one, "DELETE", "Delete an ended Message Batch", tag, "anthropic"),
        Operation(f"{one}/cancel", "POST", "Cancel a Message Batch", tag, "anthropic"),
        Operation(f"{one}/results", "GET", "A Message Batch's results (JSON lines)", tag, "anthropic"),
    ]


def _models() -> list[Operation]:
    return [
        Operation("/v1/models", "GET", "The models served, in the asker's shape", "models", ASKED),
        Operation("/v1/models/{model:path}", "GET", "One model", "models", ASKED),
        Operation("/v1beta/models", "GET", "The models served (Gemini)", "models", "gemini"),
        Operation("/v1beta/models/{model:path}", "GET", "One model (Gemini)", "models", "gemini"),
    ]


def _service() -> list[Operation]:
    refresh = (Param("provider", _STRING), Param("account", _STRING))
    return [
        Operation(
            "/healthz", "GET", "Liveness and the number of models served", "service", ASKED, keyed=False
        ),
        Operation(
            "/readyz", "GET", "Readiness: the database and Redis reachable", "service", ASKED, keyed=False
        ),
        Operation("/api/hello", "GET", "Reachability (Claude Code)", "service", ASKED, keyed=False),
        Operation("/api/hello", "HEAD", "Reachability (Claude Code)", "service", ASKED, keyed=False),
        Operation("/metrics", "GET", "Prometheus metrics", "service", ASKED),
        Operation("/openapi.json", "GET", "This description", "service", ASKED),
        Operation("/v1/status", "GET", "Accounts' usage windows", "service", ASKED),
        Operation("/v1/auth/refresh", "POST", "Refresh subscription tokens", "service", ASKED, query=refresh),
    ]


def _admin() -> list[Operation]:
    accounts, account, tag, said = "/v1/admin/accounts", "/v1/admin/accounts/{label}", "admin", "openai_chat"
    actions = [
        Operation(f"{account}/{action}", "POST", f"{action.capitalize()} an account", tag, said)
        for action in ("enable", "disable", "reset")
    ]
    return [
        Operation(accounts, "GET", "The accounts", tag, said),
        Operation(accounts, "POST", "Add an API-key account", tag, said, body=NewAccount),
        Operation(account, "GET", "An account", tag, said),
        Operation(account, "PATCH", "Change an account's pool policy", tag, said, body=PolicyPatch),
        *actions,
        Operation(f"{account}/test", "POST", "Try an account with a tiny request", tag, said),
        Operation("/v1/admin/models", "GET", "Models with their accounts", tag, said),
    ]


def _keys() -> list[Operation]:
    many, one, tag, said = "/v1/admin/keys", "/v1/admin/keys/{name}", "keys", "openai_chat"
    return [
        Operation(many, "GET", "The named local keys", tag, said),
        Operation(many, "POST", "Make a named key (its secret shown once)", tag, said, body=_NEW_KEY),
        Operation(one, "GET", "A named key", tag, said),
        Operation(one, "PATCH", "Change a key's options (null unsets one)", tag, said, body=KeyOptions),
        Operation(one, "DELETE", "Revoke a key", tag, said),
        Operation(f"{one}/rotate", "POST", "A new secret for a key", tag, said),
    ]


def _observe() -> list[Operation]:
    return [
        Operation("/v1/traces", "GET", "Traces, newest first", "traces", ASKED, query=TraceQuery),
        Operation("/v1/traces", "DELETE", "Delete old traces", "traces", ASKED, query=PurgeQuery),
        Operation("/v1/traces/stream", "GET", "New traces as server-sent events", "traces", ASKED),
        Operation("/v1/traces/{trace_id}", "GET", "One trace with its bodies", "traces", ASKED),
        Operation("/v1/usage", "GET", "Tokens and cost, grouped", "usage", ASKED, query=UsageQuery),
    ]


def _dashboard() -> list[Operation]:
    tag, said = "dashboard", "openai_chat"
    login = {"type": "object", "required": ["key"], "properties": {"key": _STRING}}
    return [
        Operation("/ui/session", "GET", "The page's session and CSRF token", tag, said, keyed=False),
        Operation(
            "/ui/login", "POST", "A local key for the session cookie", tag, said, keyed=False, body=login
        ),
        Operation("/ui/logout", "POST", "Clear the session cookie", tag, said, keyed=False),
        Operation("/ui/static/{file:path}", "GET", "The page's scripts and styles", tag, ASKED, keyed=False),
        Operation("/ui", "GET", "The dashboard", tag, ASKED, keyed=False),
        Operation("/ui/{view:path}", "GET", "The dashboard, at a view", tag, ASKED, keyed=False),
    ]


def _passthrough() -> list[Operation]:
    route = "/{provider}/{path:path}"
    # Errors of a known provider come in its dialect (or as it sent them); of an unknown one, asked.
    return [
        Operation(route, method, "Pass-through to a provider's own API, untranslated", "passthrough", ASKED)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
    ]


def operations() -> list[Operation]:
    return [
        *_dialects(), *_stored(), *_batches(), *_models(), *_service(), *_admin(), *_keys(),
        *_observe(), *_dashboard(), *_passthrough(),
    ]  # fmt: skip
