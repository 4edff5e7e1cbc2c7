"""Named keys' limits under `dragoman serve --workers 2`: a key made with `dragoman keys
create`, requests at once spread over both workers, and the limit holds exactly."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson
import pytest

from dragoman import dialects
from dragoman.ir import tokens
from tests.cli import test_serve_workers
from tests.cli.test_serve_workers import CHAT, Served, eventually
from tests.fakes import Reply, Usage
from tests.fakes.fixtures import FakeUpstreams

served = test_serve_workers.served  # the fixture: `serve --workers 2`
ASKED = {**CHAT, "max_tokens": 100}
# The access lines of answers (a stream cut short: a warning) and refusals, with the pid of the worker
# that wrote them.
REFUSED_LISTING = r"^\S+ INFO +(\d+) \[\w+\] dragoman\.access: GET /v1/models 401 "
ACCESS = r"^\S+ (?:INFO|WARNING) +(\d+) \[\w+\] dragoman\.access: POST /v1/chat/completions (\d{3}) "


def keys_command(served: Served, home: Path, *argv: str) -> subprocess.CompletedProcess[bytes]:
    """`dragoman keys ...` as a user runs it, on the gateway `served`."""
    port = served.url.rsplit(":", 1)[1]
    env = {**os.environ, "DRAGOMAN_HOME": str(home), "DRAGOMAN_BIND": f"127.0.0.1:{port}"}
    command = [sys.executable, "-m", "dragoman", "keys", *argv]
    return subprocess.run(command, env=env, capture_output=True, timeout=60, check=True)


def create_key(served: Served, home: Path, *options: str) -> str:
    """`dragoman keys create alice ...` through the running gateway's admin API; its secret."""
    made = keys_command(served, home, "create", "alice", *options, "--json", "--verbose")
    assert made.stderr.decode() == f"using the dragoman serving at {served.url}\n"
    secret: str = orjson.loads(made.stdout[made.stdout.index(b"{") :])["secret"]
    # The other worker reads the new key within about 2 s; until then, knowing no named
    # key, it serves loopback without one (as README says), so any secret passes there.
    eventually(lambda: all(_refuses_others(served) for _ in range(12)))
    return secret


def _refuses_others(served: Served) -> bool:
    """Whether the worker taking this connection knows there are keys now."""
    answer = httpx.get(
        served.url + "/v1/models", headers={"authorization": "Bearer dgm_not-a-key"}, timeout=10
    )
    return answer.status_code == 401


def burst(served: Served, secret: str, times: int, asked: dict[str, object] = ASKED) -> list[httpx.Response]:
    """`times` requests at once, each on its own connection (the kernel picks a worker per
    connection)."""

    async def one() -> httpx.Response:
        async with httpx.AsyncClient(timeout=60) as client:
            return await client.post(
                served.url + "/v1/chat/completions", json=asked, headers={"authorization": f"Bearer {secret}"}
            )

    async def every() -> list[httpx.Response]:
        return list(await asyncio.gather(*(one() for _ in range(times))))

    return asyncio.run(every())


def by_worker(served: Served, status: int) -> set[int]:
    return {int(pid) for pid, code in re.findall(ACCESS, served.text(), re.M) if int(code) == status}


def test_an_rpm_limit_holds_exactly_across_two_workers(
    served: Served, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    workers = served.workers()
    secret = create_key(served, dragoman_home, "--rpm", "12")
    fakes.anthropic.script(*(Reply(text="OK", delay_before_first_byte=1.0) for _ in range(40)))
    answers = burst(served, secret, 40)
    statuses = [answer.status_code for answer in answers]
    assert (statuses.count(200), statuses.count(429)) == (12, 28)
    assert len(fakes.anthropic.requests) == 12
    assert by_worker(served, 200) | by_worker(served, 429) == workers
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert 1 <= int(refused.headers["retry-after"]) <= 61
    message = refused.json()["error"]["message"]
    assert "key 'alice'" in message and "rpm 12" in message, message
    assert "Traceback" not in served.text()


def price(input_tokens: int, output_tokens: int) -> float:
    """At the config's prices for the model: $3 and $15 per million tokens."""
    return (input_tokens * 3 + output_tokens * 15) / 1e6


def reservation(max_tokens: int) -> float:
    """What one request of `ASKED` reserves against a money budget: its prompt's estimate
    and its max output, priced."""
    return price(tokens.estimate(dialects.get("openai_chat").request.parse(dict(ASKED))), max_tokens)


def spent(served: Served, home: Path) -> float:
    """What `dragoman keys show alice` says its budget has used."""
    shown = orjson.loads(keys_command(served, home, "show", "alice", "--json").stdout)
    used: float = shown["limits"][0]["used"]
    return used


def spent_once(served: Served, home: Path, expected: float) -> float | None:
    used = spent(served, home)
    return used if used == pytest.approx(expected) else None


def test_a_money_budget_holds_across_two_workers_within_one_reservation(
    served: Served, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    workers = served.workers()
    one = reservation(100)
    budget = round(20.5 * one, 6)  # fits 20 reservations, not 21
    secret = create_key(served, dragoman_home, "--budget", f"{budget}usd/day")
    # Every answer waits, so that all are in flight before any settles; each spends as
    # much as it reserved, the most that keeps a budget within one reservation.
    usage = Usage(input=10, output=99)
    fakes.anthropic.script(*(Reply(text="OK", usage=usage, delay_before_first_byte=2.0) for _ in range(60)))
    answers = burst(served, secret, 60)
    statuses = [answer.status_code for answer in answers]
    assert (statuses.count(200), statuses.count(403)) == (20, 40)
    assert len(fakes.anthropic.requests) == 20
    assert by_worker(served, 200) | by_worker(served, 403) == workers
    # The last answers settle just after their last byte: read until all 20 have.
    settled = eventually(lambda: spent_once(served, dragoman_home, 20 * price(10, 99)))
    assert settled <= budget + one
    message = next(answer for answer in answers if answer.status_code == 403).json()["error"]["message"]
    assert f"key 'alice' is over its budget {budget}usd/day" in message and "it resets at" in message, message


def test_streams_past_their_reservation_keep_a_token_budget_across_two_workers(
    served: Served, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    workers = served.workers()
    asked = {**CHAT, "max_tokens": 32_000, "stream": True}  # Claude Code's max output
    # A stream's first reservation: its prompt and `reserve_output_max` (8192); it grows by 8192.
    step = tokens.estimate(dialects.get("openai_chat").request.parse(dict(asked))) + 8192
    budget = 32 * step
    secret = create_key(served, dragoman_home, "--tokens", f"{budget}/day")
    # 16 answers of 32000 tokens, 80 to a chunk: 512k tokens wanted, against a budget of some 262k.
    fakes.anthropic.script(*(Reply(fills_max_output=True, chunks=400, chunk_delay=0.01) for _ in range(16)))
    answers = burst(served, secret, 16, asked)
    assert [answer.status_code for answer in answers] == [200] * 16
    assert all(b"key 'alice' reached its tokens" in answer.content for answer in answers)
    assert eventually(lambda: by_worker(served, 200) == workers)  # each logs as it ends
    # Holds already fill the budget; each answer's settling (just after its last byte) can only add.
    settled = eventually(lambda: _steady(lambda: spent(served, dragoman_home)))
    assert budget - step <= settled <= budget + step


def _steady(read: Callable[[], float]) -> float | None:
    """What `read` gives twice in a row, half a second apart; None while it moves."""
    first = read()
    time.sleep(0.5)
    return first if read() == first else None
