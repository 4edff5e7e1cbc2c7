"""Live model lists: what each upstream says it serves, fetched in the background.

An upstream has a live list when its kind has a `models_path` and the configuration did
not fix its models (`models = [...]`). The list is read in the upstream's dialect
(`dialects/<d>/models.py`: `LIST_QUERY`, `parse_list`, `next_page`; a private protocol's
own `models` module, Kiro's, Cursor's, which may say how the list is asked for in a
`LIST_CALL`, else a JSON `GET`), page by page, and merged over the built-in one: the live
list says which ids exist, the built-in list fills the limits and capabilities the live
one leaves out.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import orjson

from dragoman import dialects
from dragoman.ir.errors import GatewayError, UpstreamError
from dragoman.ir.models import ModelInfo
from dragoman.observe.redact import redact
from dragoman.providers.http import UpstreamClients, read_all
from dragoman.providers.spec import ListCall
from dragoman.providers.upstream import Upstream

log = logging.getLogger("dragoman.routing.live")

JSON_GET = ListCall()
LIST_SECONDS = 30.0
MAX_PAGES = 20

# What a subscription upstream's list is read with: its login's headers (a fresh token),
# and what its backend also wants in each page's query (Kiro's profile).
ListLogin = tuple[dict[str, str], dict[str, str]]
ListLoginFor = Callable[[Upstream], Awaitable[ListLogin]]


def wants_live(upstream: Upstream) -> bool:
    return upstream.spec.models_path is not None and not upstream.fixed_models


async def fetch(
    clients: UpstreamClients, upstream: Upstream, login: ListLogin | None = None
) -> tuple[ModelInfo, ...]:
    """Every model the upstream lists now (`login`: a subscription's). Raises
    GatewayError or ValueError."""
    shape = _shape(upstream)
    headers, account_query = login or ({}, {})
    query: dict[str, str] | None = dict(shape.LIST_QUERY)
    found: dict[str, ModelInfo] = {}
    async with asyncio.timeout(LIST_SECONDS):
        for _ in range(MAX_PAGES):
            body = await _ask(clients, upstream, shape, {**(query or {}), **account_query}, headers)
            for info in shape.parse_list(body):
                found.setdefault(info.id, info)
            query = shape.next_page(body)
            if query is None:
                break
    return tuple(found.values())


def merge(upstream: Upstream, live: tuple[ModelInfo, ...] | None) -> Upstream:
    """`upstream` serving its live list too: built-in models first, then the new ones."""
    if live is None or upstream.fixed_models:
        return upstream
    listed = {info.id: info for info in live}
    known = [_enrich(info, listed[info.id]) if info.id in listed else info for info in upstream.models]
    known_ids = {info.id for info in upstream.models}
    return replace(upstream, models=(*known, *(info for info in live if info.id not in known_ids)))


def added_ids(upstream: Upstream, live: tuple[ModelInfo, ...] | None) -> frozenset[str]:
    """The ids `merge` adds to the upstream's own list: those only its live list names."""
    if live is None or upstream.fixed_models:
        return frozenset()
    return frozenset(info.id for info in live) - {info.id for info in upstream.models}


def _enrich(builtin: ModelInfo, live: ModelInfo) -> ModelInfo:
    # The upstream's word on limits is the account's truth; the built-in one fills gaps.
    return replace(
        builtin,
        context_window=live.context_window or builtin.context_window,
        max_output_tokens=live.max_output_tokens or builtin.max_output_tokens,
        vision=builtin.vision or live.vision,
        reasoning=builtin.reasoning or live.reasoning,
        display_name=live.display_name or builtin.display_name,
    )


class LiveLists:
    """The last list each upstream gave, by upstream name; a failure keeps the last one
    and is logged once at warning, then at debug until the upstream answers again."""

    def __init__(self) -> None:
        self.models: dict[str, tuple[ModelInfo, ...]] = {}
        self._failing: set[str] = set()
        # Set by the gateway once logins can be read: until then a subscription
        # upstream's list is not asked for (it would only be refused).
        self.list_login: ListLoginFor | None = None

    async def refresh(self, clients: UpstreamClients, upstreams: list[Upstream]) -> bool:
        """Fetch every live list at once; True when any list changed."""
        listed = [up for up in upstreams if wants_live(up) and self._can_ask(up)]
        results = await asyncio.gather(*(self._one(clients, up) for up in listed))
        return any(results)

    def _can_ask(self, upstream: Upstream) -> bool:
        return upstream.account_id is None or self.list_login is not None

    def forget(self, keep: set[str]) -> None:
        """Drop the lists of upstreams that are gone (a removed account)."""
        for name in set(self.models) - keep:
            del self.models[name]
        self._failing &= keep

    async def _one(self, clients: UpstreamClients, upstream: Upstream) -> bool:
        try:
            login = await self.list_login(upstream) if self.list_login and upstream.account_id else None
            models = await fetch(clients, upstream, login)
        except Exception as error:  # a bad list must never stop the others, nor serving
            self._failed(upstream.name, error)
            return False
        self._failing.discard(upstream.name)
        changed = self.models.get(upstream.name) != models
        self.models[upstream.name] = models
        return changed

    def _failed(self, name: str, error: Exception) -> None:
        level = logging.DEBUG if name in self._failing else logging.WARNING
        self._failing.add(name)
        reason = error.message if isinstance(error, GatewayError) else str(error) or type(error).__name__
        log.log(level, "the model list of %s could not be read: %s", name, redact(reason))


async def _ask(
    clients: UpstreamClients,
    upstream: Upstream,
    shape: ModuleType,
    query: dict[str, str],
    login: dict[str, str],
) -> Any:
    call: ListCall = getattr(shape, "LIST_CALL", JSON_GET)
    url = upstream.url(upstream.spec.models_path or "") + (f"?{urlencode(query)}" if query else "")
    headers = {**upstream.request_headers(), **call.headers, **login}
    async with clients.stream(upstream, call.method, url, content=call.body, headers=headers) as response:
        body = await read_all(upstream, response)
    if response.status_code >= 400:
        wire = upstream.spec.wire
        spoken = dialects.private(upstream.dialect, wire) if wire else dialects.get(upstream.dialect)
        raise spoken.error.parse(response.status_code, body, response.headers)
    if not call.json:
        return body
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise UpstreamError(f"{upstream.name} listed its models in something that is not JSON") from None


def _shape(upstream: Upstream) -> ModuleType:
    package = upstream.spec.wire or dialects.DIALECTS[upstream.dialect]
    return importlib.import_module(f"{package}.models")
