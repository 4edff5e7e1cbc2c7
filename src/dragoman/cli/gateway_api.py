"""Commands that ask the running gateway: its JSON admin routes, behind the local key
(the same routes the dashboard and scripts use).

The gateway is found at `--url`, else at the first address it is configured to bind
(a wildcard bind is asked on loopback), with the first configured local key. A
command that can also answer from the database alone (`traces show`, `usage`, ...)
catches `NotServing` and does so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
import httpx

from dragoman.config import Settings

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1"}


class NotServing(Exception):
    """No gateway answers at the URL."""


def url_option(function: F) -> F:
    return click.option(
        "--url", metavar="URL", help="The running gateway. [default: its first bind address]"
    )(function)


def gateway_url(settings: Settings, url: str | None) -> str:
    if url:
        return url.rstrip("/")
    bind = settings.bind[0]
    host = WILDCARDS.get(bind.host, bind.host)
    return (f"http://[{host}]" if ":" in host else f"http://{host}") + f":{bind.port}"


def headers(settings: Settings) -> dict[str, str]:
    keys = settings.key_values()
    return {"authorization": f"Bearer {keys[0]}"} if keys else {}


def call(settings: Settings, url: str | None, method: str, path: str, **params: Any) -> Any:
    """The route's JSON answer. NotServing when nothing listens; a ClickException with
    the gateway's own message for an error answer."""
    chosen = {name: value for name, value in params.items() if value is not None}
    with _reaching(gateway_url(settings, url)) as base:
        answer = httpx.request(method, base + path, params=chosen, headers=headers(settings), timeout=30)
    if answer.status_code >= 400:
        raise click.ClickException(f"the gateway answered {answer.status_code}: {message_of(answer)}")
    return answer.json()


def message_of(answer: httpx.Response) -> str:
    try:
        return str(answer.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return answer.text[:200]


@contextmanager
def _reaching(base: str) -> Iterator[str]:
    try:
        yield base
    except httpx.ConnectError:
        raise NotServing(base) from None


def online_or_offline(online: Callable[[], T], offline: Callable[[], Awaitable[T]]) -> T:
    """The running gateway's answer, or with none running the database's."""
    try:
        return online()
    except NotServing:
        return asyncio.run(offline())  # type: ignore[arg-type]


async def with_engine(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T | None:
    """`work` on the home database's engine; None when there is no database yet."""
    from dragoman.store.db import open_existing

    database = await open_existing(settings.effective_database_url, options=settings.database)
    if database is None:
        return None
    try:
        return await work(database.engine)
    finally:
        await database.close()
