"""`python -m bench soak --minutes 10`: 1,000 concurrent streams through one `dragoman serve`.

Against the fast fake upstream (`bench/upstream.py`), with the default settings but for
two accounts per model (pools: account choice on every request) and tracing on (its
default, database included). Each of `--streams` keep-alive client connections sends
streamed requests back to back, the connections taking turns over a mix of client and
upstream dialects (Chat -> Chat, Chat -> Anthropic, Chat -> Responses, Anthropic ->
Anthropic, Anthropic -> Responses, Responses -> Chat, stored). Every answer must be a
200 holding all the words and its dialect's terminal event.

Every 30 s it prints the requests done, the errors, dragoman's resident memory and its
open file descriptors (sockets among them). After the load it waits for idle upstream
connections to expire (aiohttp keeps them 15 s) and counts the descriptors again: more
than at the start (after warm-up) is a leak. Exit status 0 only with no error, no leak
and resident memory at the end within `--rss-growth` of its first reading under load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import uvloop

from bench import bodies, procs, services, ttfb
from bench.scenarios import ANTHROPIC_HEADERS, OPENAI_HEADERS, TERMINAL

REPORT_SECONDS = 30.0
SETTLE_SECONDS = 20.0
# (name, client dialect, request body): the mix each connection takes its turn in.
MIX = [
    ("chat->chat", "chat", bodies.chat_request(bodies.MODELS["chat"], stream=True)),
    ("chat->anthropic", "chat", bodies.chat_request(bodies.MODELS["anthropic"], stream=True)),
    ("chat->responses", "chat", bodies.chat_request(bodies.MODELS["responses"], stream=True)),
    ("anthropic->anthropic", "anthropic", bodies.anthropic_request(bodies.MODELS["anthropic"], stream=True)),
    ("anthropic->responses", "anthropic", bodies.anthropic_request(bodies.MODELS["responses"], stream=True)),
    # Stored (the default): the responses keeper writes too, and its store is open from the warm-up.
    (
        "responses->chat",
        "responses",
        orjson.dumps({"model": bodies.MODELS["chat"], "input": "hi", "stream": True}),
    ),
]
PATHS = {"chat": "/v1/chat/completions", "anthropic": "/v1/messages", "responses": "/v1/responses"}


@dataclass
class Tally:
    done: int = 0
    errors: int = 0
    samples: list[str] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)  # MiB, every report

    def failed(self, what: str) -> None:
        self.errors += 1
        if len(self.samples) < 5:
            self.samples.append(what)


def fds(pid: int) -> tuple[int, int]:
    """Open descriptors of `pid`, and how many are sockets."""
    folder = Path(f"/proc/{pid}/fd")
    links = []
    for entry in folder.iterdir():
        try:
            links.append(os.readlink(entry))
        except OSError:
            continue
    return len(links), sum(link.startswith("socket:") for link in links)


def reading(pid: int) -> str:
    total, sockets = fds(pid)
    return f"RSS {procs.rss_bytes([pid]) / procs.MIB:6.1f} MiB  fds {total:5d} (sockets {sockets:5d})"


async def _stream(url: str, number: int, until: float, tally: Tally) -> None:
    name, dialect, body = MIX[number % len(MIX)]
    headers = ANTHROPIC_HEADERS if dialect == "anthropic" else OPENAI_HEADERS
    raw = ttfb.request_bytes(url + PATHS[dialect], body, headers)
    host, port = url.removeprefix("http://").split(":")
    while time.monotonic() < until:
        try:
            reader, writer = await asyncio.open_connection(host, int(port), limit=1 << 22)
        except OSError as error:
            tally.failed(f"{name}: connect: {error}")
            await asyncio.sleep(1)
            continue
        try:
            while time.monotonic() < until:
                answer = await ttfb.exchange(reader, writer, raw)
                whole = bodies.LAST_WORD in answer.body and TERMINAL[dialect] in answer.body
                if answer.status != 200 or not whole:
                    tally.failed(f"{name}: {answer.status} {answer.body[:200]!r}")
                tally.done += 1
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            tally.failed(f"{name}: {type(error).__name__}: {error}")
        finally:
            writer.close()


async def _load(url: str, pid: int, streams: int, seconds: float) -> Tally:
    tally = Tally()
    started = time.monotonic()
    tasks = [asyncio.create_task(_stream(url, n, started + seconds, tally)) for n in range(streams)]
    last = 0
    while not all(task.done() for task in tasks):
        await asyncio.sleep(1)
        elapsed = time.monotonic() - started
        if elapsed >= (last + 1) * REPORT_SECONDS:
            last += 1
            rate = tally.done / elapsed
            tally.rss.append(rss_mib(pid))
            print(
                f"{elapsed:6.0f} s  {tally.done:8d} done ({rate:6.0f}/s)  {tally.errors} errors  "
                f"{reading(pid)}",
                flush=True,
            )
    await asyncio.gather(*tasks)
    return tally


def rss_mib(pid: int) -> float:
    return procs.rss_bytes([pid]) / procs.MIB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench soak", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--rss-growth", type=float, default=0.10, help="allowed, from the first reading")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dragoman-soak-") as folder:
        workdir = Path(folder)
        upstream = services.upstream(workdir).start()
        dragoman = services.dragoman(workdir, upstream.url, "soak", "warning", pool=2)
        try:
            dragoman.start()
            return _soak(dragoman, args)
        finally:
            dragoman.stop()
            upstream.stop()


def _soak(dragoman: services.Service, args: argparse.Namespace) -> int:
    pid = dragoman.pid
    for _, dialect, body in MIX:  # warm-up: every path once, pools and trace store opened
        headers = ANTHROPIC_HEADERS if dialect == "anthropic" else OPENAI_HEADERS
        answer = ttfb.once(dragoman.url + PATHS[dialect], body, headers)
        assert answer.status == 200, answer.body[:300]
    time.sleep(2)
    before = fds(pid)
    print(
        f"{args.streams} streams for {args.minutes:g} min; at rest after warm-up: {reading(pid)}", flush=True
    )
    tally = uvloop.run(_load(dragoman.url, pid, args.streams, args.minutes * 60))
    time.sleep(SETTLE_SECONDS)
    after = fds(pid)
    print(f"after the load and {SETTLE_SECONDS:g} s at rest: {reading(pid)}")
    print(f"{tally.done} streams answered, {tally.errors} errors")
    for sample in tally.samples:
        print("  error:", sample)
    leaked = after[0] > before[0]
    print(f"descriptors: {before[0]} before, {after[0]} after: {'LEAK' if leaked else 'no leak'}")
    rss = tally.rss or [rss_mib(pid)]
    growth = rss[-1] / rss[0] - 1
    grew = growth > args.rss_growth
    print(
        f"RSS under load: {rss[0]:.1f} MiB at the first reading, {max(rss):.1f} at most, {rss[-1]:.1f} "
        f"at the last ({growth:+.1%}): {'GROWING' if grew else 'flat'}"
    )
    return 1 if tally.errors or leaked or grew else 0


if __name__ == "__main__":
    sys.exit(main())
