"""What a provider is, as data: `ProviderSpec` for a kind of upstream, `ModelInfo` for
each model it serves. Each provider folder exports one `SPEC`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from dragoman.ir.models import ModelInfo
from dragoman.ir.request import Request
from dragoman.providers.subscription import AccountRuntime, OAuthSpec

__all__ = [
    "DIALECT_AUTH",
    "DIALECT_HEADERS",
    "AuthStyle",
    "DialectFor",
    "ListCall",
    "ModelInfo",
    "PathFor",
    "ProviderSpec",
    "RequestFixup",
    "ToolRenamer",
]

AuthStyle = Literal["bearer", "x-api-key", "x-goog-api-key", "none", "by_dialect"]

# How each dialect's own vendor expects an API key, for kinds that speak any dialect.
DIALECT_AUTH: dict[str, AuthStyle] = {
    "openai_chat": "bearer",
    "openai_responses": "bearer",
    "anthropic": "x-api-key",
    "gemini": "x-goog-api-key",
}

DIALECT_HEADERS: dict[str, dict[str, str]] = {
    "anthropic": {"anthropic-version": "2023-06-01"},
}


# A provider's last word on a rendered request body: (body, request) -> body.
RequestFixup = Callable[[dict[str, Any], Request], dict[str, Any]]
# A provider's own tool-name rule, applied after its dialect's (ir.names): the request
# with names replaced, and {upstream name: the name it replaced}.
ToolRenamer = Callable[[Request], tuple[Request, dict[str, str]]]
# Where a kind's generation endpoint is, when not where its dialect puts it: (model, stream) -> path.
PathFor = Callable[[str, bool], str]
# The dialect a kind speaks for a model, when that depends on the model (Copilot serves
# Claude on Anthropic Messages, the others on OpenAI's): (model, configured dialect) -> dialect.
DialectFor = Callable[[str, str], str]


@dataclass(frozen=True, slots=True)
class ListCall:
    """How an upstream's model list is asked for, when not as a JSON `GET` of its
    `models_path` (`routing.live`): a models module's `LIST_CALL`. Cursor's is a Connect
    unary call, a protobuf `POST` answered in protobuf."""

    method: str = "GET"
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # False: `parse_list` is given the answer's bytes, not its JSON.
    json: bool = True


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """A kind of upstream. `dialects` lists what it can speak, the first by default.

    `forward_headers` are client headers passed on when the client speaks the
    upstream's dialect (e.g. `anthropic-beta`), merged as a comma list with any value
    `headers` sets. `fix_request` adjusts the rendered body for this upstream's quirks
    (see the folder's quirks.py). `rename_tools` and `upstream_path` are for backends
    stricter than their dialect's vendor (tool names) or at another path. `models_path`
    is where the upstream lists its models live, if it does.
    """

    kind: str
    dialects: tuple[str, ...]
    base_url: str | None
    auth: AuthStyle = "bearer"
    api_key_env: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    models: tuple[ModelInfo, ...] = ()
    needs_key: bool = True
    forward_headers: tuple[str, ...] = ()
    fix_request: RequestFixup | None = None
    rename_tools: ToolRenamer | None = None
    upstream_path: PathFor | None = None
    dialect_for: DialectFor | None = None
    models_path: str | None = None
    # It compacts conversations itself (`/responses/compact`, a `compaction_trigger`
    # item) when spoken to in Responses: server/responses/compaction.py forwards there.
    compaction: bool = False
    # Its API counts a prompt's tokens (Anthropic count_tokens, Gemini countTokens, OpenAI
    # responses/input_tokens) with a key: server/upstream_count.py asks it.
    counts_tokens: bool = False
    # How a subscription login of this kind counts, when it can (a counter's name in
    # server/upstream_count.py: Code Assist's `:countTokens`).
    login_counter: str | None = None
    # Where its API generates images, for its models marked `images`: OpenAI's images API
    # (OpenAI, xAI), or a Gemini model's generateContent ("{model}" filled in).
    images_path: str | None = None
    # Where it edits images (OpenAI's `/images/edits` form, or Gemini's generateContent).
    image_edits_path: str | None = None
    # Its Responses backend draws with the hosted `image_generation` tool (the Codex
    # backend on a ChatGPT login): image generations for its models go there through the
    # relay (server/images_tool.py).
    image_tool: bool = False
    # Subscription kinds (logins instead of keys): see providers/subscription.py.
    oauth: OAuthSpec | None = None
    runtime: AccountRuntime | None = None
    # An upstream with a private protocol (Kiro): the package holding its request,
    # response, stream and error modules, spoken as its only dialect (`dialects.private`).
    wire: str | None = None
    # A subscription kind that also takes API keys (`dragoman accounts add --api-key`).
    takes_keys: bool = False

    @property
    def default_dialect(self) -> str:
        return self.dialects[0]
