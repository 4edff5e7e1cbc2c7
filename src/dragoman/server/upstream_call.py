"""The HTTP request an upstream receives for an IR request: the render step of the
pipeline, kept pure so the relay and `dragoman test` build it the same way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from dragoman import dialects
from dragoman.dialects import Dialect
from dragoman.ir import Request
from dragoman.ir.errors import AuthenticationFailed
from dragoman.ir.names import constrain
from dragoman.json_bytes import dumps_kept
from dragoman.providers.paths import path_safe_model
from dragoman.providers.subscription import AccountRuntime
from dragoman.routing.registry import Route
from dragoman.store.accounts import Account

# What a Claude credential starts with: an OAuth token (sk-ant-oat...) or an API key.
CLIENT_LOGIN_PREFIX = "sk-ant-"


@dataclass(frozen=True, slots=True)
class UpstreamCall:
    url: str
    headers: dict[str, str]
    content: bytes
    target: Dialect
    # {upstream tool name: client tool name} for names the upstream would reject.
    client_names: dict[str, str]


def prepare(
    route: Route,
    request: Request,
    client_headers: Mapping[str, str] | None = None,
    account: Account | None = None,
) -> UpstreamCall:
    """The call for `request`; `account` is the fresh login of a subscription upstream."""
    upstream = route.upstream
    runtime = upstream.spec.runtime if account is not None else None
    if runtime is not None and runtime.stream_only and not request.stream:
        # The relay folds the stream for this client, as for any upstream that streams.
        request = replace(request, stream=True)
    dialect = upstream.dialect
    if upstream.spec.dialect_for is not None:
        dialect = upstream.spec.dialect_for(route.model, dialect)
    wire = upstream.spec.wire
    target = dialects.private(dialect, wire) if wire else dialects.get(dialect)
    name_rule = getattr(target.request, "TOOL_NAMES", None)
    renamed, client_names = constrain(request, name_rule) if name_rule else (request, {})
    if upstream.spec.rename_tools is not None:
        renamed, again = upstream.spec.rename_tools(renamed)
        client_names = {**client_names, **{new: client_names.get(old, old) for new, old in again.items()}}
    body = target.request.render(renamed, model=route.model, origin=upstream.origin)
    if upstream.spec.fix_request is not None:
        # Quirks depend on the model actually called, not the alias the client used.
        body = upstream.spec.fix_request(body, replace(renamed, model=route.model))
    if runtime is not None and account is not None:
        body = runtime.wrap(body, route.model, account)
    headers = {**upstream.request_headers(), "content-type": "application/json"}
    path_for = upstream.spec.upstream_path or target.request.upstream_path
    path = path_for(route.model, request.stream)
    if route.model in path:
        # The model id is part of the URL (Gemini): it must not add segments or a query.
        path_safe_model(route.model)
    if client_headers and request.source == dialect:
        _forward(headers, upstream.spec.forward_headers, client_headers)
    if runtime is not None and account is not None:
        headers.update(login_headers(runtime, account, body))
        headers.update(runtime.turn_headers(request))
    if upstream.client_auth:
        headers["authorization"] = client_login(client_headers)
    return UpstreamCall(
        url=upstream.url(path),
        headers=headers,
        content=dumps_kept(body),  # held until the request ends, for a failover
        target=target,
        client_names=client_names,
    )


def _forward(headers: dict[str, str], names: tuple[str, ...], client_headers: Mapping[str, str]) -> None:
    """Vendor feature flags (anthropic-beta) the client sent, merged into `headers`:
    they only mean something in their own dialect."""
    for name in names:
        value = client_headers.get(name)
        if value:
            headers[name] = merge_list(headers.get(name), value)


def client_login(client_headers: Mapping[str, str] | None) -> str:
    """The client's own `Authorization` for an `auth = "client"` upstream, untouched.
    Only a Claude credential is forwarded: anything else there (dragoman's own key, when
    the client did not move it to x-dragoman-key) must never leave for Anthropic."""
    value = (client_headers or {}).get("authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip().startswith(CLIENT_LOGIN_PREFIX):
        raise AuthenticationFailed(
            "this provider uses your own Claude login: send it as Authorization: Bearer sk-ant-... "
            "(Claude Code does), and dragoman's key, if it needs one, as x-dragoman-key"
        )
    return value


def login_headers(runtime: AccountRuntime, account: Account, body: dict[str, Any]) -> dict[str, str]:
    """A subscription account's headers: the runtime's, then its access token."""
    headers = {name.lower(): value for name, value in runtime.headers(account).items()}
    headers.update({name.lower(): value for name, value in runtime.call_headers(account, body).items()})
    headers["authorization"] = f"Bearer {account.access_token}"
    return headers


def merge_list(own: str | None, client: str) -> str:
    """A comma-list header (`anthropic-beta`) with the provider's own values first, then
    the client's, each once: a kind that needs a flag keeps it whatever the client sends."""
    if not own:
        return client
    values = [value.strip() for value in f"{own},{client}".split(",")]
    return ",".join(dict.fromkeys(value for value in values if value))
