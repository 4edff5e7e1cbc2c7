"""Table definitions. Every change here comes with a migration in `migrations.py`."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()

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
