"""Native pass-through: `/{provider}/{path}` forwarded as it is to that provider.

A client that already speaks a provider's own API (any endpoint and method: files,
batches, embeddings, ...) reaches it through dragoman with dragoman's local key. Nothing
is translated; the request goes out as sent except that

- the client's local key is removed (the `authorization`, `x-api-key`, `x-goog-api-key`
  and `x-dragoman-key` headers and the `key` query parameter) and the provider's stored
  credential and configured headers are added; only the dialect's default version header
  (e.g. `anthropic-version`) yields to the client's own. An `auth = "client"` provider
  has no credential of its own: the client's own Claude login in `Authorization` goes
  on untouched (dragoman's key then comes as `x-dragoman-key`), and nothing else there;
- hop-by-hop headers and `host` are dropped, and `accept-encoding: identity` is asked for
  when the client did not say what it accepts.

The answer comes back with the upstream's status and headers (minus hop-by-hop, `date`
and `server`, which the serving layer writes) and its body bytes as sent: still
compressed if they were, flushed as they arrive. A failure mid-body cuts the connection,
as the upstream's own cut would. The one exception is an error answer (status >= 400,
not compressed): it is read whole and its secrets masked, as every error text dragoman
passes on, since an upstream may quote the provider's key the client never held.

URL rule: the path after the provider name is appended to the provider's `base_url`.
When `base_url` ends with an API version segment (v1, v1beta, v1internal, v2alpha, ...)
and the path starts with that same segment (alone, or followed by `/` or by the `:` of a
custom method), the segment is not repeated:

    https://api.anthropic.com/v1 + /anthropic/v1/messages -> https://api.anthropic.com/v1/messages
    https://api.openai.com/v1    + /openai/v1/responses   -> https://api.openai.com/v1/responses
    https://api.openai.com/v1    + /openai/files          -> https://api.openai.com/v1/files
    https://x.googleapis.com/v1internal + /ca/v1internal:generateContent
                                             -> https://x.googleapis.com/v1internal:generateContent

The path keeps its percent-encoding and the query string its order (minus `key`). A
path with a dot segment in any spelling is refused (400): it could leave the base path
(`providers.paths`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import AsyncExitStack
from urllib.parse import quote, unquote_plus, urlsplit

from starlette.requests import Request as HttpRequest
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from dragoman.ir.errors import NotFound, PermissionDenied, RequestTooLarge
from dragoman.observe.redact import redact
from dragoman.providers.http import UpstreamResponse, iter_body, read_all
from dragoman.providers.paths import join
from dragoman.providers.spec import DIALECT_HEADERS
from dragoman.providers.upstream import Upstream
from dragoman.server import limits, local_auth
from dragoman.server.errors import error_response
from dragoman.server.exchange import Exchange, exchange_of
from dragoman.server.gateway import Gateway
from dragoman.server.local_auth import LOCAL_KEY_HEADER
from dragoman.server.model_list import asker
from dragoman.server.streamed import StreamedResponse
from dragoman.server.upstream_call import client_login

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]

_VERSION = re.compile(r"v\d+(?:[a-z]+\d*)?")
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
_CLIENT_KEYS = frozenset({"authorization", "x-api-key", "x-goog-api-key", LOCAL_KEY_HEADER})
_NOT_FORWARDED = _HOP_BY_HOP | _CLIENT_KEYS | {"host", "expect"}
_NOT_RETURNED = _HOP_BY_HOP | {"date", "server"}


class PassthroughRoute(Route):
    """`/{provider}/{path}`, but never under a first segment dragoman's own endpoints use
    (`/v1/...`): a path there that no endpoint serves is a 404 or 405 of dragoman's, not
    a pass-through to a provider named `v1`."""

    def __init__(self, reserved: frozenset[str]) -> None:
        super().__init__("/{provider}/{path:path}", passthrough, methods=METHODS)
        self.reserved = reserved

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is not Match.NONE and child["path_params"]["provider"] in self.reserved:
            return Match.NONE, {}
        return match, child


async def passthrough(http: HttpRequest) -> Response:
    """The route handler: key check, provider lookup, then the request forwarded."""
    gateway: Gateway = http.app.state.gateway
    name = http.path_params["provider"]
    upstream = gateway.registry.upstream(name)
    exchange = exchange_of(http.scope)
    exchange.dialect = "passthrough"
    # A known provider's clients speak its API, so its errors come in that API's shape.
    dialect = upstream.dialect if upstream is not None else asker(http)
    try:
        key = local_auth.check(http, http.app.state.key_ring)
        if key is not None and (key.models or key.deny):
            # The body goes through unread: no model to check it against.
            raise PermissionDenied(
                f"key {key.name} may use some models only, and pass-through names none: "
                "use the dialect endpoints (/v1/...)"
            )
        limits.uncounted(key, "pass-through")
        if upstream is None:
            raise NotFound(_unknown(gateway, http, name))
        exchange.provider, exchange.traced = name, True
        if upstream.account_id is not None:
            # A login's token only goes with requests dragoman shaped for its backend.
            raise NotFound(f"{name} is a subscription login: use it through the dialect endpoints (/v1/...)")
        return await _forward(gateway, upstream, http, exchange)
    except Exception as error:
        return error_response(error, dialect)


async def _forward(gateway: Gateway, upstream: Upstream, http: HttpRequest, exchange: Exchange) -> Response:
    url = upstream_url(upstream.base_url, _client_path(http), _without_key(http.scope["query_string"]))
    # No model is named here; the access log's `provider/model` then reads `provider/v1/files`.
    exchange.upstream_model = urlsplit(url).path.lstrip("/")
    content = _request_body(http, gateway.settings.max_body_bytes, exchange)
    response = await gateway.clients.open(
        upstream, http.method, url, content=content, headers=outbound_headers(http, upstream), raw=True
    )
    exits = AsyncExitStack()
    exits.push_async_callback(response.aclose)
    if response.status_code >= 400 and "content-encoding" not in response.headers:
        async with exits:
            return await _masked_error(upstream, response)
    exchange.stream = response.headers.get("content-type", "").startswith("text/event-stream")
    answer = StreamedResponse(_answer(upstream, response, exits), response.status_code, exchange=exchange)
    answer.raw_headers = returned_headers(response)
    return answer


async def _masked_error(upstream: Upstream, response: UpstreamResponse) -> Response:
    """An error answer with its secrets masked; its length may change with them."""
    body = await read_all(upstream, response)
    # surrogateescape: any byte that is not UTF-8 comes back as it was.
    masked = redact(body.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
    answer = Response(masked, status_code=response.status_code)
    kept = [(name, value) for name, value in returned_headers(response) if name != b"content-length"]
    answer.raw_headers = [*kept, (b"content-length", str(len(masked)).encode())]
    return answer


def upstream_url(base_url: str, path: str, query: str = "") -> str:
    """Where a pass-through request goes; see the URL rule in the module docstring."""
    version = base_url.rpartition("/")[2]
    repeated = path == version or path.startswith((f"{version}/", f"{version}:"))
    if repeated and _VERSION.fullmatch(version):
        url = join(base_url, path[len(version) :])
    else:
        url = join(base_url, f"/{path}" if path else "")
    return f"{url}?{query}" if query else url


def outbound_headers(http: HttpRequest, upstream: Upstream) -> list[tuple[str, str]]:
    """The client's headers without its key and hop-by-hop ones, plus the stored credential."""
    dropped = _NOT_FORWARDED | _connection_tokens(http.headers.get("connection", ""))
    client = [(name, value) for name, value in http.headers.items() if name not in dropped]
    present = {name for name, _ in client}
    defaults = DIALECT_HEADERS.get(upstream.dialect, {})
    stored = {name.lower(): value for name, value in upstream.request_headers().items()}
    added = {name: value for name, value in stored.items() if name not in defaults or name not in present}
    headers = [(name, value) for name, value in client if name not in added]
    if "accept-encoding" not in present:
        # Otherwise the HTTP client would ask for gzip on the client's behalf, and it would get it.
        headers.append(("accept-encoding", "identity"))
    if upstream.client_auth:
        headers.append(("authorization", client_login(http.headers)))
    return headers + list(added.items())


def returned_headers(response: UpstreamResponse) -> list[tuple[bytes, bytes]]:
    """The upstream's response headers a client may see, lower-cased as ASGI wants."""
    dropped = _NOT_RETURNED | _connection_tokens(response.headers.get("connection", ""))
    headers = [(name.lower(), value) for name, value in response.raw_headers()]
    return [(name, value) for name, value in headers if name.decode("latin-1") not in dropped]


async def _answer(
    upstream: Upstream, response: UpstreamResponse, exits: AsyncExitStack
) -> AsyncGenerator[bytes, None]:
    async with exits:
        async for chunk in iter_body(upstream, response):
            yield chunk


def _request_body(http: HttpRequest, limit: int, exchange: Exchange) -> bytes | AsyncIterator[bytes]:
    """The client's body, streamed on and counted; 413 past `limit`, declared or actual."""
    declared = http.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge(_too_large(int(declared), limit))
    if declared in (None, "0") and "transfer-encoding" not in http.headers:
        return b""
    return _limited(http, limit, exchange)


async def _limited(http: HttpRequest, limit: int, exchange: Exchange) -> AsyncIterator[bytes]:
    async for chunk in http.stream():
        exchange.bytes_in += len(chunk)
        if exchange.bytes_in > limit:
            raise RequestTooLarge(_too_large(exchange.bytes_in, limit))
        if chunk:
            yield chunk


def _client_path(http: HttpRequest) -> str:
    """The path after the provider name, percent-encoded as the client sent it."""
    raw = http.scope.get("raw_path") or b""
    parts = raw.decode("latin-1").split("/", 2)
    if raw.startswith(b"/") and len(parts) == 3:
        return parts[2]
    return quote(http.path_params["path"])


def _without_key(query: bytes) -> str:
    """The query string as sent, without the `key` parameter that carried the local key."""
    parts = query.decode("latin-1").split("&")
    return "&".join(part for part in parts if part and unquote_plus(part.partition("=")[0]) != "key")


def _connection_tokens(value: str) -> frozenset[str]:
    # Headers named in `Connection` are hop-by-hop too (RFC 9110, 7.6.1).
    return frozenset(token.strip().lower() for token in value.split(",") if token.strip())


def _too_large(size: int, limit: int) -> str:
    return (
        f"the request body ({size:,} bytes) is over this gateway's limit of {limit:,} bytes "
        "(max_body_bytes in config.toml)"
    )


def _unknown(gateway: Gateway, http: HttpRequest, name: str) -> str:
    configured = ", ".join(upstream.name for upstream in gateway.registry.upstreams) or "none"
    return (
        f"no such endpoint: {http.method} {http.url.path} (for a pass-through, the first path "
        f"segment names a configured provider; {name!r} is not one. Configured: {configured})"
    )
