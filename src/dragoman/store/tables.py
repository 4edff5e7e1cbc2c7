"""Table definitions. Every change here comes with a revision in `migrations/versions/`."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()

# A counter that outgrows 32 bits: BIGINT on PostgreSQL; SQLite's INTEGER is 64-bit, and
# only an INTEGER primary key is its rowid (numbered by the database itself).
Count = BigInteger().with_variant(Integer(), "sqlite")

schema_version = Table(
    "schema_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("applied_by", String(64), nullable=False),
)

# One row per upstream account. API-key rows fill the api_key* columns; OAuth rows
# (subscription logins) fill the token columns. `label` is the upstream's name: the
# prefix clients use (`label/model`) and the path of its native pass-through.
accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider", String(64), nullable=False),
    Column("label", String(128), nullable=False, unique=True),
    Column("auth", String(16), nullable=False),
    Column("api_key", Text),
    Column("api_key_env", String(256)),
    Column("base_url", Text),
    Column("dialect", String(32)),
    Column("models", JSON, nullable=False),
    Column("access_token", Text),
    Column("refresh_token", Text),
    Column("expires_at", Float),
    Column("account_id", String(256)),
    Column("email", String(320)),
    Column("plan", String(64)),
    Column("scopes", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("refreshed_at", Float),
    Column("extra", JSON, nullable=False),
    # Ids are never reused, so "creation order" and a removed id stay unambiguous.
    sqlite_autoincrement=True,
)

# Pool policy overrides by account label (`dragoman.store.policies`): a label of a
# `[providers.NAME]` table or of an account row; NULL fields are not overridden.
account_policies = Table(
    "account_policies",
    metadata,
    Column("label", String(128), primary_key=True),
    Column("priority", Integer),
    Column("weight", Float),
    Column("max_concurrent", Integer),
    Column("enabled", Boolean),
    Column("updated_at", Float, nullable=False),
)

# One row per traced request (`dragoman.observe.traces`): the columns filtered on, and
# the whole record as JSON (`record`; `bodies` apart, read only for one trace). `id` is
# the request id, which a client may choose: not unique, so not the primary key.
# Empty text, not NULL, stands for "none" in key and account, as in `usage_ledger`.
# Indexed: `id` (one trace) and `time` (every listing, newest first, and retention).
# A filtered listing walks the time index and filters; an index per filter cost every
# write more than it saved the rare listing (`migrations/versions/0007_trace_indexes.py`).
traces = Table(
    "traces",
    metadata,
    Column("seq", Count, primary_key=True, autoincrement=True),
    Column("id", String(128), nullable=False, index=True),
    Column("time", Float, nullable=False, index=True),
    Column("key", String(64), nullable=False),
    Column("client", String(64)),
    Column("model", String(256)),
    Column("upstream_model", String(256)),
    Column("provider", String(64)),
    Column("account", String(128), nullable=False),
    Column("status", Integer, nullable=False),
    # An error status, or a stream that did not end well (its status said 200).
    Column("failed", Boolean, nullable=False),
    Column("record", Text, nullable=False),
    Column("bodies", Text),
)

# Tokens and cost per (UTC day, account, model, key, route), added to as traces are
# stored: purging traces keeps it. `route` names the routing rule or auto tier that
# chose the model ("" when none did); a routed request also adds its baseline's price
# (`baseline_cost`) and its own (`compared_cost`) when both are known, else counts as
# `unpriced`, for `dragoman usage --savings`.
usage_ledger = Table(
    "usage_ledger",
    metadata,
    Column("day", String(10), primary_key=True),
    Column("account", String(128), primary_key=True),
    Column("model", String(256), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("route", String(320), primary_key=True),
    Column("requests", Count, nullable=False),
    Column("errors", Count, nullable=False),
    Column("input_uncached", Count, nullable=False),
    Column("cache_read", Count, nullable=False),
    Column("cache_write", Count, nullable=False),
    Column("output", Count, nullable=False),
    Column("reasoning", Count, nullable=False),
    Column("unpriced", Count, nullable=False),
    Column("cost", Float),
    Column("baseline_cost", Float),
    Column("compared_cost", Float),
)

# Named local keys (`dragoman keys`, `store.key_store`): the SHA-256 of each secret, never
# the secret; its first characters to tell keys apart; the options as given (JSON).
# A revoked key keeps its row (revoked_at set), so its name stays in listings and usage.
local_keys = Table(
    "local_keys",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("options", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float),
    Column("revoked_at", Float),
    Column("updated_at", Float, nullable=False),
)

# Stored Responses (`store: true`, background runs: `server.responses`): the Response
# object as the client got it (`response`), the input items it was asked with, each with
# an id (`input`), both JSON text. `key` is the local key that made it ("" for none):
# only that key reads it. `account` answered it; `kept`: that account's upstream stored
# it too, so a continuation naming it may go there instead of being replayed.
responses = Table(
    "responses",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("created_at", Float, nullable=False, index=True),
    Column("key", String(64), nullable=False),
    Column("account", String(128), nullable=False),
    Column("kept", Boolean, nullable=False),
    Column("previous_response_id", String(64)),
    Column("response", Text, nullable=False),
    Column("input", Text, nullable=False),
)

# Anthropic message batches (`dragoman.batches`): one row per batch, `seq` its order of
# creation (listings page by it); `key` the local key that made it ("" none).
message_batches = Table(
    "message_batches",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("key", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("cancel_initiated_at", Float),
    Column("ended_at", Float),
)

# One row per request of a batch: its params as sent, its state (queued, running, then
# succeeded, errored, canceled or expired), the process that claimed it (`claimed_by`,
# set by an UPDATE ... WHERE state = 'queued': one runner per request), and its result.
message_batch_requests = Table(
    "message_batch_requests",
    metadata,
    Column("batch_id", String(64), primary_key=True),
    Column("custom_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("queued_at", Float, nullable=False),
    Column("params", JSON, nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("claimed_by", String(160)),
    Column("claimed_at", Float),
    Column("result", JSON),
    Column("finished_at", Float),
)
