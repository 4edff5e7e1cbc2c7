"""Where `dragoman accounts` finds the admin API: a running `dragoman serve`, else the
home folder itself.

One admin API, many faces: when a gateway answers at the config's first bind address,
the command calls its JSON routes with the local key (the first of `api_keys`,
`DRAGOMAN_API_KEY`), so the change is the gateway's own and every worker serves by it.
When none answers, the same functions (`server.admin.desk`) run here on the database
and the host's runtime state, so `accounts list` works without a server and a change
is read by the next gateway to start (or by a running one on another address, within
seconds). Which one was used is said with --verbose only.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

import click
import httpx

from dragoman.config import Settings
from dragoman.ir.errors import GatewayError

REACH_SECONDS = 1.0
CALL_SECONDS = 30.0
# A wildcard address is reached through loopback.
_LOOPBACK = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


class AdminProblem(click.ClickException):
    """An admin call refused (an unknown account, a wrong value, a rejected key): one
    line, exit code 2."""

    exit_code = 2


class Admin(Protocol):
    async def listing(self) -> list[dict[str, Any]]: ...

    async def change(self, label: str, changes: Mapping[str, Any]) -> dict[str, Any]: ...

    async def reset(self, label: str) -> dict[str, Any]: ...


class RemoteAdmin:
    """The admin routes of a running gateway."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def listing(self) -> list[dict[str, Any]]:
        accounts: list[dict[str, Any]] = (await self._call("GET", ""))["accounts"]
        return accounts

    async def change(self, label: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        if set(changes) == {"enabled"}:
            return await self._call("POST", f"/{label}/{'enable' if changes['enabled'] else 'disable'}")
        return await self._call("PATCH", f"/{label}", json=dict(changes))

    async def reset(self, label: str) -> dict[str, Any]:
        return await self._call("POST", f"/{label}/reset")

    async def _call(self, method: str, path: str, **options: Any) -> dict[str, Any]:
        answer = await self.client.request(method, f"/v1/admin/accounts{path}", **options)
        if answer.status_code >= 400:
            raise AdminProblem(f"the running dragoman answered {answer.status_code}: {message(answer)}")
        said: dict[str, Any] = answer.json()
        return said


class LocalAdmin:
    """The same calls on the home folder (`server.admin.desk`)."""

    def __init__(self, desk: Any) -> None:
        self.desk = desk

    async def listing(self) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = self.desk.listing()
        return listed

    async def change(self, label: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        return await _said(self.desk.change(label, changes))

    async def reset(self, label: str) -> dict[str, Any]:
        return await _said(self.desk.reset(label))


@contextlib.asynccontextmanager
async def admin(settings: Settings, *, writes: bool, verbose: bool = False) -> AsyncIterator[Admin]:
    """The running gateway's admin API, else the home folder's; `writes`: the command
    changes something (the database is created if it must be)."""
    url = served_at(settings)
    headers = {"authorization": f"Bearer {settings.key_values()[0]}"} if settings.api_keys else {}
    timeout = httpx.Timeout(CALL_SECONDS, connect=REACH_SECONDS)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=timeout, trust_env=False) as client:
        if await answers(client):
            say(verbose, f"using the dragoman serving at {url}")
            yield RemoteAdmin(client)
            return
    say(verbose, f"no dragoman answers at {url}: working on {settings.home}")
    from dragoman.cli.admin_local import local_desk  # SQLAlchemy and the state, only now

    async with local_desk(settings, writes=writes) as desk:
        yield LocalAdmin(desk)


def served_at(settings: Settings) -> str:
    """The root URL of the config's first bind address, wildcards through loopback."""
    bind = settings.bind[0]
    host = _LOOPBACK.get(bind.host, bind.host)
    return f"http://[{host}]:{bind.port}" if ":" in host else f"http://{host}:{bind.port}"


async def answers(client: httpx.AsyncClient) -> bool:
    try:
        answer = await client.get("/healthz", timeout=REACH_SECONDS)
    except httpx.HTTPError:
        return False
    with contextlib.suppress(ValueError):
        return answer.status_code == 200 and answer.json().get("status") == "ok"
    return False


async def _said(call: Any) -> dict[str, Any]:
    try:
        result: dict[str, Any] = await call
    except GatewayError as error:
        raise AdminProblem(error.message) from None
    return result


def message(answer: httpx.Response) -> str:
    with contextlib.suppress(ValueError, KeyError, TypeError, AttributeError):
        return str(answer.json()["error"]["message"])
    return answer.text[:200] or answer.reason_phrase


def say(verbose: bool, text: str) -> None:
    if verbose:
        click.echo(text, err=True)
