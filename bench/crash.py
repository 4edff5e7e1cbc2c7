"""`python -m bench crash --rounds 50`: kill -9 `dragoman serve` while it writes, then
check the database and that nothing acknowledged to a client was lost.

Each round starts `dragoman serve` on the same home (SQLite, the default) against the
fake upstream, and four kinds of clients write through it at once:

    credentials        POST /v1/admin/accounts (an account with its API key)   -> 201
    stored responses   POST /v1/responses (stored, the default)               -> 200 and its id
    batches            POST /v1/messages/batches (3 requests each), run by it  -> 200 and its id
    traces             streamed chat requests: a trace each, written a batch a second

After a random 0.3 to 3 s the process (its whole session) gets SIGKILL. Then every
SQLite file under the home must pass `PRAGMA integrity_check`, and the next start must
serve every account, stored response and batch acknowledged in any round so far (one
GET each). At the end every batch must have ended (runs cut by a kill are taken up
again). Traces are written off the request path and no client is told one was kept:
the rounds report how many requests the kills left without a trace, and check no more.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import bodies, services

ANTHROPIC = {"anthropic-version": "2023-06-01"}
END_WAIT_SECONDS = 120.0
# The paths a write is read back by, and what they hold.
KINDS = {"accounts": "accounts", "responses": "stored responses", "batches": "batches"}


@dataclass
class Acknowledged:
    """What clients were told is kept, over all rounds."""

    accounts: list[str] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)
    traced: int = 0  # chat requests answered (each should leave a trace)
    # When each write was acknowledged, and when each round's kill came (monotonic).
    at: dict[str, float] = field(default_factory=dict)
    kills: list[float] = field(default_factory=list)
    lost: dict[str, float] = field(default_factory=dict)  # path -> seconds before its kill

    def told(self, kind: list[str], item: str) -> None:
        kind.append(item)
        self.at[item] = time.monotonic()

    def forget(self, path: str) -> None:
        """A write found lost: counted once, with how long before the kill it was told."""
        item = path.rsplit("/", 1)[1]
        for kind in (self.accounts, self.responses, self.batches):
            if item in kind:
                kind.remove(item)
        told = self.at.pop(item, 0.0)
        # 0: the client read the answer only as the kill came (it was sent before it).
        self.lost[path] = min((kill - told for kill in self.kills if kill >= told), default=0.0)


async def _accounts(client: httpx.AsyncClient, upstream: str, round_: int, out: Acknowledged) -> None:
    for n in range(10_000):
        label = f"r{round_}-{n}"
        body = {
            "provider": "openai_compatible",
            "api_key": f"sk-crash-{round_}-{n}",
            "label": label,
            "base_url": f"{upstream}/v1",
            "models": [bodies.MODELS["chat"]],
        }
        answer = await client.post("/v1/admin/accounts", json=body)
        if answer.status_code != 201:
            raise RuntimeError(f"adding an account: {answer.status_code} {answer.text[:200]}")
        out.told(out.accounts, label)


async def _responses(client: httpx.AsyncClient, out: Acknowledged) -> None:
    while True:
        # Answered by a Chat upstream: the Responses answer, and its storing, are dragoman's own.
        body = {"model": bodies.MODELS["chat"], "input": "hi"}
        answer = await client.post("/v1/responses", json=body)
        if answer.status_code != 200:
            raise RuntimeError(f"a stored response: {answer.status_code} {answer.text[:200]}")
        out.told(out.responses, answer.json()["id"])


async def _batches(client: httpx.AsyncClient, out: Acknowledged) -> None:
    params = {
        "model": bodies.MODELS["anthropic"],
        "max_tokens": 16,
        "messages": [{"role": "user", "content": "hi"}],
    }
    while True:
        requests = [{"custom_id": f"c{n}", "params": params} for n in range(3)]
        answer = await client.post("/v1/messages/batches", json={"requests": requests}, headers=ANTHROPIC)
        if answer.status_code != 200:
            raise RuntimeError(f"a batch: {answer.status_code} {answer.text[:200]}")
        out.told(out.batches, answer.json()["id"])


async def _traced(client: httpx.AsyncClient, out: Acknowledged) -> None:
    body = {"model": bodies.MODELS["chat"], "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    while True:
        async with client.stream("POST", "/v1/chat/completions", json=body) as answer:
            await answer.aread()
            if answer.status_code != 200:
                raise RuntimeError(f"a chat request: {answer.status_code}")
        out.traced += 1


async def _write_until_killed(url: str, upstream: str, round_: int, pid: int, out: Acknowledged) -> list[str]:
    """The four writers, until the kill; what they were told before it is `out`."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        writers = [
            _accounts(client, upstream, round_, out),
            *[_responses(client, out) for _ in range(2)],
            _batches(client, out),
            *[_traced(client, out) for _ in range(2)],
        ]
        tasks = [asyncio.create_task(writer) for writer in writers]
        await asyncio.sleep(random.uniform(0.3, 3.0))
        os.killpg(pid, signal.SIGKILL)
        out.kills.append(time.monotonic())
        done = await asyncio.gather(*tasks, return_exceptions=True)
    # The kill ends every writer with a transport error; anything else is a failure.
    return [repr(result) for result in done if not isinstance(result, httpx.TransportError)]


def integrity(home: Path) -> list[str]:
    """`PRAGMA integrity_check` of every SQLite file under the home: the failures."""
    failures = []
    for path in sorted(home.rglob("*.db")):
        with sqlite3.connect(path) as db:
            result = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            failures.append(f"{path.name}: {result[:3]}")
    return failures


async def _missing(url: str, seen: Acknowledged) -> list[str]:
    """The acknowledged writes the restarted server does not have."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        checks = [f"/v1/admin/accounts/{label}" for label in seen.accounts]
        checks += [f"/v1/responses/{rid}" for rid in seen.responses]
        checks += [f"/v1/messages/batches/{bid}" for bid in seen.batches]
        semaphore = asyncio.Semaphore(16)

        async def lost(path: str) -> str | None:
            async with semaphore:
                answer = await client.get(path, headers=ANTHROPIC)
            return None if answer.status_code == 200 else f"{path}: {answer.status_code}"

        missing = [found for found in await asyncio.gather(*map(lost, checks)) if found]
    for path in missing:
        seen.forget(path.split(":")[0])
    return missing


def traces(home: Path) -> int:
    with sqlite3.connect(home / "dragoman.db") as db:
        return int(db.execute("SELECT count(*) FROM traces").fetchone()[0])


async def _unended(url: str, ids: list[str]) -> list[str]:
    deadline = time.monotonic() + END_WAIT_SECONDS
    async with httpx.AsyncClient(base_url=url, timeout=30, headers=ANTHROPIC) as client:
        left = list(ids)
        while left and time.monotonic() < deadline:
            states = [(await client.get(f"/v1/messages/batches/{bid}")).json() for bid in left]
            left = [state["id"] for state in states if state.get("processing_status") != "ended"]
            if left:
                await asyncio.sleep(2)
    return left


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench crash", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--keep", type=Path, help="work here (home, logs) and keep it, not in a temporary folder"
    )
    args = parser.parse_args(argv)
    random.seed(args.seed)
    with tempfile.TemporaryDirectory(prefix="dragoman-crash-") as folder:
        workdir = args.keep or Path(folder)
        workdir.mkdir(parents=True, exist_ok=True)
        upstream = services.upstream(workdir).start()
        try:
            return _rounds(workdir, upstream.url, args.rounds)
        finally:
            upstream.stop()


def _rounds(workdir: Path, upstream: str, rounds: int) -> int:
    seen = Acknowledged()
    failures: list[str] = []
    for round_ in range(1, rounds + 1):
        dragoman = services.dragoman(workdir, upstream, "crash", "warning", fresh=True, keyed=False)
        dragoman.log = workdir / f"crash-{round_}.log"
        dragoman.start()
        home = workdir / "home-crash"
        lost = asyncio.run(_missing(dragoman.url, seen))
        failures += [f"round {round_}: lost {item}" for item in lost]
        odd = asyncio.run(_write_until_killed(dragoman.url, upstream, round_, dragoman.pid, seen))
        failures += [f"round {round_}: a writer ended with {item}" for item in odd]
        dragoman.process.wait(timeout=10)  # type: ignore[union-attr]
        broken = integrity(home)
        failures += [f"round {round_}: {item}" for item in broken]
        print(
            f"round {round_:3d}: acknowledged so far {len(seen.accounts)} accounts, {len(seen.responses)} "
            f"responses, {len(seen.batches)} batches, {seen.traced} traced requests; "
            f"integrity {'ok' if not broken else 'BROKEN'}; lost before it {len(lost)}",
            flush=True,
        )
    return _finish(workdir, upstream, seen, failures)


def _finish(workdir: Path, upstream: str, seen: Acknowledged, failures: list[str]) -> int:
    dragoman = services.dragoman(workdir, upstream, "crash", "warning", fresh=True, keyed=False).start()
    try:
        failures += [f"at the end: lost {item}" for item in asyncio.run(_missing(dragoman.url, seen))]
        unended = asyncio.run(_unended(dragoman.url, seen.batches))
        failures += [f"batch {bid} never ended" for bid in unended]
    finally:
        dragoman.stop()
    kept = traces(workdir / "home-crash")
    print(
        f"traces kept: {kept}, for {seen.traced} chat requests, {len(seen.responses)} responses and "
        f"{3 * len(seen.batches)} batch requests answered: traces are written a batch a second, off the "
        "request path, so a kill takes the last second's"
    )
    for kind, name in KINDS.items():
        ages = sorted(age for path, age in seen.lost.items() if f"/{kind}/" in path)
        told = len(ages) + len(getattr(seen, kind))
        line = f"{name}: {told} acknowledged, {len(ages)} lost"
        if ages:
            line += f" (told {ages[0]:.2f} to {ages[-1]:.2f} s before the kill)"
        print(line)
    for failure in [failure for failure in failures if "lost" not in failure][:20]:
        print("FAIL", failure)
    print(
        "no acknowledged write lost, every database intact" if not failures else f"{len(failures)} failures"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
