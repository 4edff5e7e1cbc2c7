"""Where `dragoman keys` finds the keys' admin API: a running `dragoman serve`'s, else
the same calls (`server.admin.key_desk`) on the home folder, as for `dragoman accounts`
(`cli.admin_client`). Offline, the spend shown is the host's runtime state's, when a
gateway kept one here; a change is read by running gateways within seconds.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

import httpx

from dragoman.cli.admin_client import (
    CALL_SECONDS,
    REACH_SECONDS,
    AdminProblem,
    answers,
    message,
    say,
    served_at,
)
from dragoman.config import Settings
from dragoman.ir.errors import GatewayError


class Keys(Protocol):
    async def listing(self) -> list[dict[str, Any]]: ...

    async def one(self, name: str) -> dict[str, Any]: ...

    async def create(self, name: str, options: Mapping[str, Any]) -> dict[str, Any]: ...

    async def update(self, name: str, changes: Mapping[str, Any]) -> dict[str, Any]: ...

    async def revoke(self, name: str) -> dict[str, Any]: ...

    async def rotate(self, name: str) -> dict[str, Any]: ...


class RemoteKeys:
    """The keys' routes of a running gateway."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def listing(self) -> list[dict[str, Any]]:
        keys: list[dict[str, Any]] = (await self._call("GET", ""))["keys"]
        return keys

    async def one(self, name: str) -> dict[str, Any]:
        return await self._call("GET", f"/{name}")

    async def create(self, name: str, options: Mapping[str, Any]) -> dict[str, Any]:
        return await self._call("POST", "", json={"name": name, **options})

    async def update(self, name: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        return await self._call("PATCH", f"/{name}", json=dict(changes))

    async def revoke(self, name: str) -> dict[str, Any]:
        return await self._call("DELETE", f"/{name}")

    async def rotate(self, name: str) -> dict[str, Any]:
        return await self._call("POST", f"/{name}/rotate")

    async def _call(self, method: str, path: str, **options: Any) -> dict[str, Any]:
        answer = await self.client.request(method, f"/v1/admin/keys{path}", **options)
        if answer.status_code >= 400:
            raise AdminProblem(f"the running dragoman answered {answer.status_code}: {message(answer)}")
        said: dict[str, Any] = answer.json()
        return said


class LocalKeys:
    """The same calls on the home folder: every call of the desk, its errors made one line."""

    def __init__(self, desk: Any) -> None:
        self.desk = desk

    def __getattr__(self, name: str) -> Any:
        call = getattr(self.desk, name)

        async def called(*args: Any) -> dict[str, Any] | list[dict[str, Any]]:
            try:
                result: dict[str, Any] | list[dict[str, Any]] = await call(*args)
            except GatewayError as error:
                raise AdminProblem(error.message) from None
            return result

        return called


@contextlib.asynccontextmanager
async def key_admin(settings: Settings, *, writes: bool, verbose: bool = False) -> AsyncIterator[Keys]:
    """The running gateway's keys API, else the home folder's."""
    url = served_at(settings)
    headers = {"authorization": f"Bearer {settings.key_values()[0]}"} if settings.api_keys else {}
    timeout = httpx.Timeout(CALL_SECONDS, connect=REACH_SECONDS)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=timeout, trust_env=False) as client:
        if await answers(client):
            say(verbose, f"using the dragoman serving at {url}")
            yield RemoteKeys(client)
            return
    say(verbose, f"no dragoman answers at {url}: working on {settings.home}")
    from dragoman.cli.admin_local import local_key_desk  # SQLAlchemy and the state, only now

    async with local_key_desk(settings, writes=writes) as desk:
        yield LocalKeys(desk)
