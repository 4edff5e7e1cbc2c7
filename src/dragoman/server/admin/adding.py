"""`POST /v1/admin/accounts`, behind the local key: add an account with an API key, as
`dragoman accounts add --api-key` does (the dashboard's form). The account is stored;
every worker serves it within seconds (`routing.refresher` polls the accounts).

    {"provider": "openai", "api_key": "sk-...", "label": "work",
     "base_url": null, "dialect": null, "models": []}        -> 201 {"id", "label", "provider"}

Strict, as the CLI is: an unknown kind, a dialect the kind does not speak, a missing
base URL, a subscription kind (those log in: `dragoman login`) or a bad label is a 422;
a label already taken a 409. The key is never echoed.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from dragoman.config import ConfigError, ProviderConfig
from dragoman.ir.errors import GatewayError
from dragoman.providers.upstream import check_provider
from dragoman.server.admin.common import json
from dragoman.server.admin.patch import Unprocessable
from dragoman.server.body import read_json
from dragoman.server.gateway import Gateway
from dragoman.store.accounts import Account, AccountError, check_label


class NewAccount(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    provider: Annotated[str, Field(min_length=1)]
    api_key: Annotated[str, Field(min_length=1, repr=False)]
    label: str | None = None
    base_url: str | None = None
    dialect: str | None = None
    models: list[str] = Field(default_factory=list)


class Conflict(GatewayError):
    status = 409


async def add(http: HttpRequest) -> Response:
    from dragoman.cli.accounts import RESERVED_LABELS
    from dragoman.store.account_store import AccountStore

    gateway: Gateway = http.app.state.gateway
    new = _checked(await read_json(http, gateway.settings.max_body_bytes))
    assert gateway.accounts is not None  # the app has started
    database = await gateway.accounts.writable()
    draft = Account(
        provider=new.provider,
        label=new.label or "",
        api_key=new.api_key,
        base_url=new.base_url or None,
        dialect=new.dialect or None,
        models=tuple(new.models),
    )
    try:
        stored = await AccountStore(database.engine, database.keys).add(
            draft, reserved={*gateway.settings.providers, *RESERVED_LABELS}
        )
    except AccountError as error:
        raise Conflict(str(error)) from None
    return json({"id": stored.id, "label": stored.label, "provider": stored.provider}, status=201)


def _checked(parsed: object) -> NewAccount:
    """The body as a new account whose kind, dialect, base URL and label are usable."""
    try:
        new = NewAccount.model_validate(parsed)
        config = ProviderConfig(kind=new.provider, dialect=new.dialect or None, base_url=new.base_url or None)  # type: ignore[arg-type]
        spec, _, _ = check_provider(config, where="account")
        if new.label:
            check_label(new.label)
    except ValidationError as error:
        raise Unprocessable(_first_problem(error)) from None
    except (ConfigError, AccountError) as error:
        raise Unprocessable(str(error)) from None
    if spec.oauth is not None:
        raise Unprocessable(f"{new.provider} is a subscription login, not a key: run `dragoman login`")
    return new


def _first_problem(error: ValidationError) -> str:
    problem = error.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in problem["loc"]) or "body"
    return f"{where}: {problem['msg']}"
