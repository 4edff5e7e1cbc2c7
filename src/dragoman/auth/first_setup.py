"""A new login's one-time setup (e.g. Code Assist's project discovery), done at
`dragoman login` rather than at the account's first request: an account the backend
will never serve is refused there, with the backend's reason, instead of failing every
request later. Any other failure (the backend down, a project still to name) leaves the
setup to the first request, as for an imported login."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from dragoman.auth.endpoints import base_url_for
from dragoman.auth.refresh import SETUP_AT, setup_facts
from dragoman.ir.errors import GatewayError
from dragoman.providers.subscription import AccountRuntime, Ineligible

if TYPE_CHECKING:
    import httpx

    from dragoman.config import Settings
    from dragoman.providers.spec import ProviderSpec
    from dragoman.store.accounts import Account


async def set_up(
    spec: ProviderSpec, settings: Settings, client: httpx.AsyncClient, draft: Account
) -> tuple[Account, str | None]:
    """The login with its setup's result kept, and a warning when the setup must wait.
    Raises `Ineligible` when the backend refuses the account for good."""
    runtime = spec.runtime
    if runtime is None or type(runtime).setup is AccountRuntime.setup:
        return draft, None
    try:
        result = await runtime.setup(draft, client, base_url_for(spec, settings, draft.base_url))
    except Ineligible:
        raise
    except GatewayError as error:
        return draft, f"the account's setup will be tried again at its first request: {error.message}"
    columns, extra = setup_facts(result)
    return replace(draft, **columns, extra={**draft.extra, **extra, SETUP_AT: time.time()}), None
