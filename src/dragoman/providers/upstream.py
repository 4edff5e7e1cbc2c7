"""A configured upstream: a provider kind plus one account's endpoint, key and models."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from dragoman.config import ConfigError, ProviderConfig, Settings
from dragoman.ir.reasoning import origin_of
from dragoman.observe import redact
from dragoman.pools.settings import DEFAULT_POLICY, AccountPolicy
from dragoman.providers import discover
from dragoman.providers.paths import join
from dragoman.providers.spec import DIALECT_AUTH, DIALECT_HEADERS, ModelInfo, ProviderSpec


@dataclass(slots=True)
class Upstream:
    name: str
    spec: ProviderSpec
    dialect: str
    base_url: str
    api_key: str | None = field(repr=False)
    models: tuple[ModelInfo, ...]
    headers: dict[str, str]
    connect_timeout: float = 10.0
    read_timeout: float = 600.0
    # An explicit `models = [...]` is the whole list: live lists never add to it.
    fixed_models: bool = False
    # The whole exchange, stream included; None for no bound.
    total_timeout: float | None = 3600.0
    proxy: str | None = field(default=None, repr=False)
    http2: bool = True
    # The largest whole answer (or single stream event) read from it.
    max_answer_bytes: int = 64 * 1024 * 1024
    # The stored account of a subscription login: its token is added per request
    # (dragoman.auth), never kept here.
    account_id: int | None = None
    # Its place in the pools it serves: priority tier, weight, concurrency, enabled.
    policy: AccountPolicy = DEFAULT_POLICY
    # How listings show its key so its owner recognises it (`shown_key`): never the key.
    key_shown: str = "none"
    # `auth = "client"`: each request carries the client's own login (server/passthrough_auth.py).
    client_auth: bool = False

    # Who signs the reasoning it answers with: its kind and account (`ir.reasoning`).
    # Worked out once (also by `dataclasses.replace`): every request stamps it.
    origin: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.origin = origin_of(self.spec.kind, self.name)

    def request_headers(self) -> dict[str, str]:
        """Headers for every request to this upstream: static ones, then the key."""
        headers = {**DIALECT_HEADERS.get(self.dialect, {}), **self.spec.headers, **self.headers}
        style = DIALECT_AUTH[self.dialect] if self.spec.auth == "by_dialect" else self.spec.auth
        if self.api_key and style == "bearer":
            headers["authorization"] = f"Bearer {self.api_key}"
        elif self.api_key and style in ("x-api-key", "x-goog-api-key"):
            headers[style] = self.api_key
        return headers

    def url(self, path: str) -> str:
        """Where `path` is under this upstream; InvalidRequest if it would leave it."""
        return join(self.base_url, path)


class MissingKey(ConfigError):
    """A provider whose key is not there (its variable unset, say): it is left out and
    the others are served. Any other ConfigError (a typo) stops start-up."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A configured provider left out, and why (for the banner and `dragoman models`)."""

    name: str
    reason: str


def build_upstreams(settings: Settings, environ: Mapping[str, str] = os.environ) -> list[Upstream]:
    """Every `[providers.NAME]` table as an `Upstream`, in the order configured, but for
    those without their key (`skipped_providers` says which). Raises ConfigError."""
    return [built for built in _configured(settings, environ) if isinstance(built, Upstream)]


def skipped_providers(settings: Settings, environ: Mapping[str, str] = os.environ) -> list[Skipped]:
    """The `[providers.NAME]` tables `build_upstreams` leaves out, with why."""
    return [built for built in _configured(settings, environ) if isinstance(built, Skipped)]


def _configured(settings: Settings, environ: Mapping[str, str]) -> Iterator[Upstream | Skipped]:
    for name, config in settings.providers.items():
        try:
            yield build_upstream(name, config, environ, proxy=settings.proxy)
        except MissingKey as error:
            yield Skipped(name, str(error))


def build_upstream(
    name: str,
    config: ProviderConfig,
    environ: Mapping[str, str] = os.environ,
    *,
    where: str | None = None,
    proxy: str | None = None,
    account_id: int | None = None,
) -> Upstream:
    """One upstream from its settings, whatever they come from (a config table, an
    account row). `where` names the source in errors, `proxy` is the global proxy,
    `account_id` the stored login of a subscription kind; raises ConfigError."""
    where = where or f"providers.{name}"
    spec, dialect, base_url = check_provider(config, where)
    if spec.oauth is not None and account_id is None:
        raise ConfigError(
            f"{where}.kind: {spec.kind} is a subscription login, not a key: run "
            f"`dragoman login --provider {spec.kind}` (or `dragoman import {spec.kind}`)"
        )
    api_key = None if _client_auth(where, config) else _api_key(where, config, spec, environ)
    if api_key:
        redact.register([api_key])
    redact.register(_header_secrets(config.headers))
    redact.register(_credentials(base_url))
    _check_one_authorization(where, base_url, spec, dialect, api_key, config.headers)
    models = spec.models + tuple(ModelInfo(model) for model in config.models if model not in _ids(spec))
    if config.models:
        models = tuple(model for model in models if model.id in config.models)
    return Upstream(
        name=name,
        spec=spec,
        dialect=dialect,
        base_url=base_url,
        api_key=api_key,
        models=models,
        headers=dict(config.headers),
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        fixed_models=bool(config.models),
        total_timeout=config.total_timeout,
        max_answer_bytes=config.max_answer_bytes,
        proxy=_proxy(config.proxy, proxy),
        http2=config.http2,
        account_id=account_id,
        policy=config.policy(),
        key_shown="the client's own" if config.auth == "client" else shown_key(config, spec, environ),
        client_auth=config.auth == "client",
    )


def shown_key(config: ProviderConfig, spec: ProviderSpec, environ: Mapping[str, str]) -> str:
    """The key as listings show it: a literal one masked (`sk-a***wxyz`), one read from
    a variable by its name (`$OPENAI_API_KEY`, set or not), else "none"."""
    if config.api_key is not None:
        return redact.mask(config.api_key.get_secret_value())
    variable = config.api_key_env or spec.api_key_env
    if variable and (config.api_key_env or spec.needs_key or environ.get(variable)):
        return f"${variable}"
    return "none"


def check_provider(config: ProviderConfig, where: str) -> tuple[ProviderSpec, str, str]:
    """The kind's spec, the dialect and the base URL these settings give; ConfigError
    naming `where` when the kind is unknown, the dialect foreign or the URL missing."""
    specs = discover()
    spec = specs.get(config.kind)
    if spec is None:
        raise ConfigError(f"{where}.kind: unknown kind {config.kind!r} (known: {', '.join(sorted(specs))})")
    dialect = config.dialect or spec.default_dialect
    if dialect not in spec.dialects:
        raise ConfigError(f"{where}.dialect: {config.kind} speaks {', '.join(spec.dialects)}, not {dialect}")
    base_url = (config.base_url or spec.base_url or "").rstrip("/")
    if not base_url:
        raise ConfigError(f"{where}.base_url: required for kind {config.kind}")
    return spec, dialect, base_url


# The kinds whose clients bring a login of their own worth forwarding: Claude Code's.
CLIENT_AUTH_KINDS = ("anthropic",)


def _client_auth(where: str, config: ProviderConfig) -> bool:
    """Whether requests carry the client's own login; ConfigError for a kind that
    cannot, or beside a key of the provider's own."""
    if config.auth != "client":
        return False
    if config.kind not in CLIENT_AUTH_KINDS:
        raise ConfigError(f"{where}.auth: only {', '.join(CLIENT_AUTH_KINDS)} can forward the client's login")
    if config.api_key is not None or config.api_key_env:
        raise ConfigError(
            f'{where}.auth: "client" forwards the client\'s login; remove api_key / api_key_env'
        )
    return True


def _api_key(
    where: str, config: ProviderConfig, spec: ProviderSpec, environ: Mapping[str, str]
) -> str | None:
    if config.api_key is not None:
        return config.api_key.get_secret_value()
    variable = config.api_key_env or spec.api_key_env
    if variable and environ.get(variable):
        return environ[variable]
    if config.api_key_env:
        raise MissingKey(f"{where}.api_key_env: the variable {config.api_key_env} is not set")
    if spec.needs_key:
        hint = (
            f"set {spec.api_key_env}, or add api_key or api_key_env"
            if spec.api_key_env
            else "add api_key or api_key_env"
        )
        raise MissingKey(f"{where}: no API key ({hint})")
    return None


# Configured headers that carry a credential (`Authorization = "Bearer ..."`, a key of
# the gateway in front) are secrets as much as `api_key`, whatever their shape.
_SECRET_HEADER = re.compile(r"auth|key|token|secret|password|cookie|session", re.IGNORECASE)


def _header_secrets(headers: Mapping[str, str]) -> Iterable[str]:
    """The values of credential headers, and the credential after a scheme (`Bearer x`)."""
    for name, value in headers.items():
        if _SECRET_HEADER.search(name):
            yield from (value, value.rpartition(" ")[2])


def _check_one_authorization(
    where: str, base_url: str, spec: ProviderSpec, dialect: str, key: str | None, headers: Mapping[str, str]
) -> None:
    """A base URL's `user:password@` becomes an Authorization header (Basic), which
    cannot go beside a bearer key or a configured Authorization: refuse the pair at
    start rather than fail every request."""
    if not urlsplit(base_url).username:
        return
    style = DIALECT_AUTH[dialect] if spec.auth == "by_dialect" else spec.auth
    if (key and style == "bearer") or any(name.lower() == "authorization" for name in headers):
        raise ConfigError(
            f"{where}.base_url: its user:password@ would be sent as an Authorization header, and the "
            "provider already sends one (its key or headers); keep one of the two"
        )


def _proxy(own: str | None, shared: str | None) -> str | None:
    """The provider's proxy, else the global one; "" means direct, whatever is global."""
    for url in (own, shared):
        redact.register(_credentials(url))
    chosen = shared if own is None else own
    return chosen or None


def _credentials(url: str | None) -> Iterable[str]:
    """A URL's password (a proxy's, a base URL's), as written and percent-decoded, to
    keep out of logs."""
    password = urlsplit(url).password if url else None
    return (password, unquote(password)) if password else ()


def _ids(spec: ProviderSpec) -> set[str]:
    return {model.id for model in spec.models}
