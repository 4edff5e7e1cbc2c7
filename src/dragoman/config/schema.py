"""The configuration schema. Unknown keys are errors, so a typo never passes silently."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from dragoman.config.binds import Bind, parse_bind, parse_binds
from dragoman.config.chains import chain_loop
from dragoman.config.masking import masked, masked_headers, masked_secret, masked_url
from dragoman.config.routing import AutoConfig, RoutingConfig
from dragoman.config.zone import known_zone, machine_zone
from dragoman.observe.prices import Price
from dragoman.pools.settings import DEFAULT_PRIORITY, AccountPolicy, PoolSettings

DialectName = Literal["openai_chat", "openai_responses", "anthropic", "gemini"]
LogLevel = Literal["debug", "info", "warning", "error", "critical"]
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
# SQLAlchemy's form, `dialect[+driver]://...`, checked without importing it.
DATABASE_URL = re.compile(r"[\w+]+://.*", re.DOTALL)
REDIS_URL = re.compile(r"(rediss?|unix)://.+", re.DOTALL)

# Every field that can hold a secret has one of these types, so that `config show`
# masks it (tests/config/test_masking.py checks no string field is left unclassified).
Secret = Annotated[SecretStr, masked(masked_secret)]
# A URL: `user:password@` and `?key=...` are secrets.
SecretUrl = Annotated[str, masked(masked_url)]
# Header values: Authorization, x-api-key, Cookie and the like are secrets.
Headers = Annotated[dict[str, str], masked(masked_headers)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_proxy(value: str | None) -> str | None:
    """A proxy URL httpx can use, or a ValueError saying why not.

    The URL may carry credentials, so no message repeats it.
    """
    if not value:
        return value
    scheme, separator, _ = value.partition("://")
    if not separator or scheme.lower() not in PROXY_SCHEMES:
        raise ValueError(f"a proxy URL starts with {', '.join(s + '://' for s in PROXY_SCHEMES)}")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading the port is what validates it
    except ValueError:
        raise ValueError("not a valid URL (e.g. http://proxy.example:3128)") from None
    if not parts.hostname:
        raise ValueError("the proxy URL names no host (e.g. http://proxy.example:3128)")
    return value


class ProviderConfig(_Strict):
    """One upstream account or endpoint: a `[providers.NAME]` table."""

    kind: str
    dialect: DialectName | None = None
    base_url: SecretUrl | None = None
    api_key: Secret | None = None
    api_key_env: str | None = None
    models: list[str] = Field(default_factory=list)
    headers: Headers = Field(default_factory=dict)
    # "client": no key of its own; each request carries the client's own login
    # (`Authorization: Bearer sk-ant-oat...`, Claude Code's), forwarded untouched.
    auth: Literal["key", "client"] = "key"
    # Long reasoning streams go quiet for minutes: the read timeout is the longest
    # silence allowed between two bytes, the total timeout the longest whole exchange.
    connect_timeout: Annotated[float, Field(gt=0)] = 10.0
    read_timeout: Annotated[float, Field(gt=0)] = 600.0
    total_timeout: Annotated[float, Field(gt=0)] | None = 3600.0
    # The largest whole answer read (and, streamed, the largest single event), in bytes.
    max_answer_bytes: Annotated[int, Field(gt=0)] = 64 * 1024 * 1024
    # None: the global `proxy`; "": none at all, even when a global one is set.
    proxy: SecretUrl | None = None
    http2: bool = True
    # Its place in every pool it serves (`[pools]`): the best tier (lowest priority) with
    # an eligible account is used; weight for `weighted`; None: no concurrency limit.
    priority: Annotated[int, Field(ge=0)] = DEFAULT_PRIORITY
    weight: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0
    max_concurrent: Annotated[int, Field(ge=1)] | None = None
    enabled: bool = True

    _check_proxy = field_validator("proxy")(check_proxy)

    def policy(self) -> AccountPolicy:
        """What this provider adds to the pools it serves in."""
        return AccountPolicy(self.priority, self.weight, self.max_concurrent, self.enabled)


class OAuthConfig(_Strict):
    """`[oauth.<kind>]`: where a subscription kind's OAuth server and backend live.

    Every key is optional and replaces the kind's built-in URL (tests point them at
    fake servers; a proxying setup may point them elsewhere). `redirect_port` changes
    the loopback port of browser logins: the provider only accepts its registered
    port, so this is for fakes (0 picks a free port).
    """

    authorize_url: SecretUrl | None = None
    token_url: SecretUrl | None = None
    device_url: SecretUrl | None = None
    device_token_url: SecretUrl | None = None
    revoke_url: SecretUrl | None = None
    verification_url: SecretUrl | None = None
    base_url: SecretUrl | None = None
    # GitHub Copilot: where the GitHub token becomes a Copilot token, and its quota endpoint.
    exchange_url: SecretUrl | None = None
    quota_url: SecretUrl | None = None
    redirect_port: Annotated[int, Field(ge=0, le=65535)] | None = None


class ModelsConfig(_Strict):
    """`[models]`: names clients send, and where a request goes when its model cannot serve."""

    aliases: dict[str, str] = Field(default_factory=dict)
    # The model a name nothing serves goes to (a typo, a model you do not have).
    fallback: str | None = None
    # `[models.fallbacks]`: by model, the models tried in order when none of its accounts
    # can take a request, or its context window is too small (`routing.chains`).
    fallbacks: dict[str, list[str]] = Field(default_factory=dict)
    # Where a request too long for its model (and its chain) goes, when its window fits.
    context_fallback: str | None = None

    @model_validator(mode="after")
    def _no_loops(self) -> ModelsConfig:
        loop = chain_loop(self.fallbacks, self.aliases)
        if loop:
            raise ValueError(f"fallbacks: the chain comes back to a model it left: {' -> '.join(loop)}")
        return self


TraceBodies = Literal["off", "errors", "all"]


class TracesConfig(_Strict):
    """`[traces]`: one record per model request (`dragoman.observe.traces`)."""

    enabled: bool = True
    # Records kept in memory for `/v1/traces` and the live view, newest last.
    ring: Annotated[int, Field(ge=1)] = 1000
    # Kept in the database too (batched, off the request path); false: memory only.
    database: bool = True
    keep_days: Annotated[float, Field(gt=0)] = 30.0
    keep_max: Annotated[int, Field(ge=1)] = 100_000
    # The most of each kept body (client request, upstream request, upstream answer).
    body_max_bytes: Annotated[int, Field(ge=1024)] = 64 * 1024


class ResponsesConfig(_Strict):
    """`[responses]`: Responses kept for `GET /v1/responses/{id}` and `previous_response_id`
    (`server.responses`), whatever upstream answered them."""

    # Responses asked with `store` (true unless the client says false) are kept this long.
    keep_days: Annotated[float, Field(gt=0)] = 30.0


class LimitsConfig(_Strict):
    """`[limits]`: how local keys' limits are held on the request path (`policy.budgets`)."""

    # The most output tokens a request reserves against its key's token and money limits,
    # whatever its max_tokens asks (none asked: this much). An agent sending a 128k max
    # must not lock a whole budget; settling counts what was really generated.
    reserve_output_max: Annotated[int, Field(ge=1)] = 8192
    # When the usage ledger cannot be written, refuse (503) the requests of keys with
    # limits rather than let spend through unrecorded.
    fail_closed: bool = False


class BatchesConfig(_Strict):
    """`[batches]`: Anthropic message batches (`dragoman.batches`), run in the background."""

    # Requests of batches answered at once, by each process that runs them.
    concurrency: Annotated[int, Field(ge=1, le=256)] = 4


class DatabaseConfig(_Strict):
    """`[database]`: the connections each dragoman process opens to a database server
    (PostgreSQL; a SQLite file is not pooled this way). A process holds up to three pools
    (accounts, traces, stored Responses), each keeping `pool_size` connections open and
    opening `max_overflow` more while busy: 3 x (2 + 3) = 15 at most per process, so
    three replicas of two workers stay under PostgreSQL's default max_connections (100)."""

    pool_size: Annotated[int, Field(ge=1, le=100)] = 2
    max_overflow: Annotated[int, Field(ge=0, le=100)] = 3
    # Seconds a new connection may take to be answered (asyncpg's own default is 60).
    connect_timeout: Annotated[float, Field(gt=0, le=600)] = 10.0


class Settings(_Strict):
    bind: list[Bind] = Field(default_factory=lambda: [parse_bind("127.0.0.1:4800")])
    api_keys: list[Secret] = Field(default_factory=list)
    home: Path = Path("~/.dragoman")
    database_url: SecretUrl | None = None
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    # Runtime state (cooldowns, bindings, in-flight counts, counters, the live feed) shared
    # by replicas on many hosts through this Redis; None: the home's (one host). Every key
    # starts with `redis_prefix`: gateways that must not share state can share a Redis.
    redis_url: SecretUrl | None = None
    redis_prefix: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[\w.:-]+$")] = "dragoman:"
    log_level: LogLevel = "info"
    log_format: Literal["text", "json"] = "text"
    # Logs go to this file instead of stderr, rolled over past `log_max_bytes` with
    # `log_backups` old files kept (`.1` the newest). Under `serve --workers` each worker
    # writes its own (`dragoman.log` -> `dragoman.worker-1.log`): one writer per file.
    log_file: Path | None = None
    log_max_bytes: Annotated[int, Field(ge=0)] = 10 * 1024 * 1024  # 0: never rolled over
    log_backups: Annotated[int, Field(ge=0)] = 5
    # OTLP/HTTP traces endpoint (e.g. http://127.0.0.1:4318/v1/traces): a span per request,
    # with the `otel` extra installed. None: no spans.
    otel_endpoint: SecretUrl | None = None
    # Processes serving the same sockets (`serve --workers`); 1 serves in the process itself.
    workers: Annotated[int, Field(ge=1)] = 1
    max_body_bytes: Annotated[int, Field(gt=0)] = 32 * 1024 * 1024
    # Exchanges in flight to one upstream host (so many connections at most); the rest
    # wait in line, and past `upstream_queue_seconds` get a 503 (`providers.connection_cap`).
    upstream_connections_per_host: Annotated[int, Field(ge=1)] = 256
    upstream_queue_seconds: Annotated[float, Field(gt=0)] = 30.0
    # Client connections: how many at once (past it a request gets a 503), the most of a
    # request line and headers (past it a 431), the time to send them (past it a 408
    # and the connection closed) and the longest silence within a body (`server.connections`).
    max_connections: Annotated[int, Field(ge=1)] = 4096
    max_header_bytes: Annotated[int, Field(ge=1024)] = 64 * 1024
    header_timeout_seconds: Annotated[float, Field(gt=0)] = 20.0
    body_timeout_seconds: Annotated[float, Field(gt=0)] = 60.0
    keepalive_seconds: Annotated[float, Field(gt=0)] = 15.0
    shutdown_grace_seconds: Annotated[float, Field(ge=0)] = 10.0
    proxy: SecretUrl | None = None
    detect_ollama: bool = True
    ollama_url: SecretUrl = "http://127.0.0.1:11434"
    model_refresh_seconds: Annotated[float, Field(gt=0)] = 600.0
    providers: dict[str, ProviderConfig] = Field(default_factory=dict)
    models: ModelsConfig = Field(default_factory=ModelsConfig)
    pools: PoolSettings = Field(default_factory=PoolSettings)
    oauth: dict[str, OAuthConfig] = Field(default_factory=dict)
    traces: TracesConfig = Field(default_factory=TracesConfig)
    # Bodies kept with each trace (size-capped, secrets masked): none, only failed
    # requests', or every request's.
    trace_bodies: TraceBodies = "off"
    # `[prices."<model or glob>"]`: API prices (USD per million tokens) laid over the
    # built-in table for cost estimates (observe/prices.py says how a model is matched).
    prices: dict[str, Price] = Field(default_factory=dict)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    responses: ResponsesConfig = Field(default_factory=ResponsesConfig)
    batches: BatchesConfig = Field(default_factory=BatchesConfig)
    # `model: "auto"`: its tiers, profiles and floors; `[[routing.rules]]`: rules as data
    # (`dragoman.policy`).
    auto: AutoConfig = Field(default_factory=AutoConfig)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    # The zone of keys' calendar periods (`/day`, `/week`, `/month`): an IANA name,
    # by default the machine's (`config.zone`).
    time_zone: str = Field(default_factory=machine_zone)
    # Limits on the admin keys (`api_keys`), in the options of `dragoman keys create`:
    # `budget = "50usd/month"`, `rpm = 600`, ... None by default.
    admin_limits: dict[str, str | int] = Field(default_factory=dict)

    @field_validator("bind", mode="before")
    @classmethod
    def _parse_binds(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            return [
                bind for item in value for bind in (parse_binds(item) if isinstance(item, str) else [item])
            ]
        return value

    _check_proxy = field_validator("proxy")(check_proxy)

    @field_validator("database_url")
    @classmethod
    def _a_database_url(cls, value: str | None) -> str | None:
        # Only the form: its driver is loaded, and found missing, when it is opened.
        if value and not DATABASE_URL.fullmatch(value):
            raise ValueError("not a database URL (e.g. postgresql+asyncpg://user:password@host/dragoman)")
        return value

    @field_validator("redis_url")
    @classmethod
    def _a_redis_url(cls, value: str | None) -> str | None:
        if value and not REDIS_URL.fullmatch(value):
            raise ValueError(
                "not a Redis URL (e.g. redis://127.0.0.1:6379/0, rediss://:password@host:6380/0)"
            )
        return value

    @field_validator("api_keys")
    @classmethod
    def _no_blank_keys(cls, value: list[SecretStr]) -> list[SecretStr]:
        # `--api-key "$KEY"` with KEY unset: a gateway whose key is "" lets in anyone
        # who sends none, on whatever address it listens.
        if any(not key.get_secret_value().strip() for key in value):
            raise ValueError("an empty or blank key is not a key: give a real one, or none (loopback only)")
        return value

    @field_validator("time_zone")
    @classmethod
    def _a_zone(cls, value: str) -> str:
        if not known_zone(value):
            raise ValueError(f"{value!r} is not a time zone name (e.g. Europe/Paris, America/New_York, UTC)")
        return value

    @field_validator("admin_limits")
    @classmethod
    def _admin_limits(cls, value: dict[str, str | int]) -> dict[str, str | int]:
        from dragoman.policy.key_options import ADMIN_LIMIT_FIELDS, options_of

        for name in value:
            if name not in ADMIN_LIMIT_FIELDS:
                raise ValueError(f"{name!r} is not an admin limit (they are {', '.join(ADMIN_LIMIT_FIELDS)})")
        options_of(value)
        return value

    @field_validator("oauth")
    @classmethod
    def _known_logins(cls, value: dict[str, OAuthConfig]) -> dict[str, OAuthConfig]:
        from dragoman.providers import discover  # the provider folders, only when [oauth] is used

        known = sorted(kind for kind, spec in discover().items() if spec.oauth is not None)
        for kind in value:
            if kind not in known:
                raise ValueError(f"{kind!r} has no subscription login (known: {', '.join(known)})")
        return value

    @property
    def sqlite_path(self) -> Path:
        return self.home / "dragoman.db"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.sqlite_path}"

    def key_values(self) -> list[str]:
        """The local API keys in clear, for the comparison in `server.local_auth` only."""
        return [key.get_secret_value() for key in self.api_keys]
