"""`/readyz`: whether this replica can serve now, for a load balancer or Kubernetes.

`/healthz` says the process answers (liveness: restart it if not); `/readyz` also says
whether what it shares with the other replicas answers: the database (a `SELECT 1` on
the open engine; a SQLite database not opened yet, holding no account, has nothing to
check) and, with `redis_url`, Redis (a PING). 200 when both do; 503 with a JSON body
naming what is down when the database does not answer.

Redis not answering is 200 too, `"status": "degraded"`, naming it: every replica then
serves from its own copy of the state (`dragoman.state.redis`), and Redis is shared by
all of them, so a 503 would take every replica out of the balancer at once, turning a
degraded cluster into one that serves nobody.

A probe every few hundred milliseconds from several balancers must not become a load of
its own: the answer is kept for CACHE_SECONDS.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response

if TYPE_CHECKING:
    from dragoman.server.gateway import Gateway

CACHE_SECONDS = 1.0
CHECK_SECONDS = 2.0


# What this replica needs to serve at all; any other problem (the shared state) degrades it.
NEEDED = frozenset({"database"})


class Readiness:
    """The last answer and when it was found; one check runs at a time."""

    def __init__(self) -> None:
        self.checked_at = -CACHE_SECONDS
        self.problems: dict[str, str] = {}
        self._lock = asyncio.Lock()

    async def problems_of(self, gateway: Gateway) -> dict[str, str]:
        async with self._lock:
            if time.monotonic() - self.checked_at >= CACHE_SECONDS:
                self.problems = await _check(gateway)
                self.checked_at = time.monotonic()
            return self.problems


async def _check(gateway: Gateway) -> dict[str, str]:
    problems: dict[str, str] = {}
    database = await _database_problem(gateway)
    if database is not None:
        problems["database"] = database
    if gateway.state is not None:
        try:
            state = await asyncio.wait_for(gateway.state.service.problem(), CHECK_SECONDS)
        except TimeoutError:
            state = f"the {gateway.state.backend} state did not answer within {CHECK_SECONDS:g} s"
        if state is not None:
            problems[gateway.state.backend] = state
    return problems


async def _database_problem(gateway: Gateway) -> str | None:
    database = gateway.accounts.database if gateway.accounts is not None else None
    if database is None:
        return None
    from sqlalchemy import text

    try:
        async with asyncio.timeout(CHECK_SECONDS):
            async with database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure is "down"; its type says which, never its text (a URL)
        return f"the database did not answer ({type(error).__name__})"
    return None


async def ready(http: HttpRequest) -> Response:
    gateway: Gateway = http.app.state.gateway
    readiness: Readiness = getattr(http.app.state, "readiness", None) or Readiness()
    http.app.state.readiness = readiness
    problems = await readiness.problems_of(gateway)
    if NEEDED & problems.keys():
        return JSONResponse({"status": "unready", "down": sorted(problems), "problems": problems}, 503)
    if problems:
        return JSONResponse({"status": "degraded", "down": sorted(problems), "problems": problems})
    return JSONResponse({"status": "ready"})
