"""`dragoman serve --workers N` as a user runs it: real processes, sockets and signals.

Which worker answered is read from the access log, whose lines carry the pid of the
process that wrote them when there are workers.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import orjson
import pytest
from click.testing import CliRunner

from dragoman.cli import cli
from dragoman.state.host import SCAN_SECONDS
from tests.cli.test_serve import free_port, wait_healthy
from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams

T = TypeVar("T")

KEY = "sk-local-workers-0123456789"
CHAT = {"model": "claude-sonnet-4-6", "messages": [{"role": "user", "content": "hi"}]}
ANSWERED = re.compile(r"^\S+ INFO +(\d+) \[\w+\] dragoman\.access: POST /v1/chat/completions 200 ", re.M)


def eventually(check: Callable[[], T | None], timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout:g} s: {check}")


def _state_and_parent(pid: int) -> tuple[str, int] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    state, parent = stat.rsplit(")", 1)[1].split()[:2]  # after "pid (command)"
    return state, int(parent)


def children(pid: int) -> set[int]:
    """The live (not zombie) processes whose parent is `pid`."""
    found = set()
    for entry in Path("/proc").iterdir():
        seen = _state_and_parent(int(entry.name)) if entry.name.isdigit() else None
        if seen is not None and seen[1] == pid and seen[0] != "Z":
            found.add(int(entry.name))
    return found


def gone(pid: int) -> bool:
    seen = _state_and_parent(pid)
    return seen is None or seen[0] == "Z"


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def text(self) -> str:
        return self.log.read_text()

    def workers(self) -> set[int]:
        """The two workers, once both say they serve."""

        def both() -> set[int] | None:
            now = children(self.process.pid)
            text = self.text()
            ready = len(now) == 2 and all(f"worker {pid} serving" in text for pid in now)
            return now if ready else None

        return eventually(both)

    def chat(self, times: int, key: str = "") -> None:
        headers = {"authorization": f"Bearer {key}"} if key else {}
        for _ in range(times):  # a new connection each time: the kernel picks a worker per connection
            response = httpx.post(self.url + "/v1/chat/completions", json=CHAT, headers=headers, timeout=10)
            assert response.status_code == 200, response.text
            assert response.json()["choices"][0]["message"]["content"] == "OK"

    def answered_by(self) -> set[int]:
        return {int(pid) for pid in ANSWERED.findall(self.text())}


def write_config(home: Path, fakes: FakeUpstreams) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        '[providers.up]\nkind = "anthropic"\n'
        f'base_url = "{fakes.anthropic.base_url}"\napi_key = "{fakes.anthropic.key}"\n'
        'models = ["claude-sonnet-4-6"]\n'
        # A price, for the money budgets of keys (tests/cli/test_serve_workers_keys.py).
        '[prices."claude-sonnet-4-6"]\ninput = 3\noutput = 15\n'
    )


@pytest.fixture
def served(
    request: pytest.FixtureRequest, dragoman_home: Path, fakes: FakeUpstreams, tmp_path: Path
) -> Iterator[Served]:
    """`serve --workers 2`, with the test's parameter as more arguments."""
    write_config(dragoman_home, fakes)
    port, log = free_port(), tmp_path / "serve.log"
    argv = [sys.executable, "-m", "dragoman", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    argv += [arg.format(tmp=tmp_path) for arg in getattr(request, "param", [])]
    with log.open("wb") as out:
        # Its own process group, as a shell gives a command: Ctrl-C signals the whole group.
        process = subprocess.Popen(
            argv,
            stdout=out,
            stderr=out,
            env={**os.environ, "DRAGOMAN_HOME": str(dragoman_home)},
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process, timeout=60)
        yield Served(process, url, log)
    finally:
        leftovers = children(process.pid)
        process.kill()
        process.wait()
        for pid in leftovers:
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)


def test_two_worker_processes_share_the_connections(served: Served) -> None:
    workers = served.workers()
    for pid in workers:
        assert b"dragoman.server.worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    served.chat(40)
    assert served.answered_by() == workers
    text = served.text()
    assert text.count("listening on") == 1
    assert "(2 workers)" in text
    assert "Traceback" not in text


@pytest.mark.parametrize("served", [["--api-key", KEY]], indirect=True)
def test_every_worker_checks_the_api_key_none_shows_it(served: Served) -> None:
    workers = served.workers()
    for pid in workers:
        assert KEY.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
        assert KEY.encode() not in Path(f"/proc/{pid}/environ").read_bytes()
    refused = {httpx.post(served.url + "/v1/chat/completions", json=CHAT).status_code for _ in range(20)}
    assert refused == {401}
    served.chat(30, key=KEY)
    assert served.answered_by() == workers


@pytest.mark.parametrize("served", [["--api-key", KEY]], indirect=True)
def test_every_worker_accepts_the_dashboards_session_cookie(served: Served) -> None:
    workers = served.workers()
    login = httpx.post(served.url + "/ui/login", json={"key": KEY}, headers={"origin": served.url})
    assert login.status_code == 204
    cookies = {"dragoman_session": login.cookies["dragoman_session"]}
    for _ in range(30):  # a new connection each time: the kernel picks a worker per connection
        answer = httpx.get(served.url + "/v1/admin/accounts", cookies=cookies, timeout=10)
        assert answer.status_code == 200, answer.text
    listed = re.findall(
        r"^\S+ INFO +(\d+) \[\w+\] dragoman\.access: GET /v1/admin/accounts 200 ", served.text(), re.M
    )
    assert {int(pid) for pid in listed} == workers


def test_a_killed_worker_is_replaced_and_sigterm_stops_every_worker(served: Served) -> None:
    first = served.workers()
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    eventually(lambda: victim not in children(served.process.pid))
    now = served.workers()
    assert victim not in now and len(now - first) == 1
    assert f"worker {victim} was killed by SIGKILL; starting another" in served.text()
    served.chat(20)
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0
    assert all(gone(pid) for pid in now)
    assert "Traceback" not in served.text()
    with pytest.raises(httpx.ConnectError):
        httpx.get(served.url + "/healthz", timeout=2)


def sigterm_to_the_supervisor(served: Served) -> None:
    served.process.send_signal(signal.SIGTERM)


def ctrl_c_in_a_terminal(served: Served) -> None:
    os.killpg(served.process.pid, signal.SIGINT)  # the supervisor and every worker at once


@pytest.mark.parametrize("stop", [sigterm_to_the_supervisor, ctrl_c_in_a_terminal])
def test_a_stop_lets_in_flight_streams_finish(
    served: Served, fakes: FakeUpstreams, stop: Callable[[Served], None]
) -> None:
    served.workers()
    fakes.anthropic.script(*[Reply(text="one two three four", chunks=4, chunk_delay=0.4)] * 2)
    body = {**CHAT, "stream": True}
    with (
        httpx.stream("POST", served.url + "/v1/chat/completions", json=body, timeout=10) as one,
        httpx.stream("POST", served.url + "/v1/chat/completions", json=body, timeout=10) as two,
    ):
        streams = [one.iter_raw(), two.iter_raw()]
        firsts = [next(chunks) for chunks in streams]
        stop(served)
        raws = [first + b"".join(rest) for first, rest in zip(firsts, streams, strict=True)]
    for raw in raws:
        assert b"[DONE]" in raw
        assert raw.count(b'"content"') >= 4
    assert served.process.wait(timeout=30) == 0
    assert "workers stopped" in served.text()
    assert "Traceback" not in served.text()


def test_workers_stop_when_the_supervisor_is_killed(served: Served) -> None:
    workers = served.workers()
    served.process.kill()
    served.process.wait()
    eventually(lambda: all(gone(pid) for pid in workers))
    with pytest.raises(httpx.ConnectError):
        httpx.get(served.url + "/healthz", timeout=2)


def test_workers_must_be_at_least_one(monkeypatch: pytest.MonkeyPatch) -> None:
    flag = CliRunner().invoke(cli, ["serve", "--workers", "0"])
    assert flag.exit_code == 2
    assert "Invalid value for '--workers': 0 is not in the range x>=1" in flag.output
    monkeypatch.setenv("DRAGOMAN_WORKERS", "0")
    environment = CliRunner().invoke(cli, ["serve"])
    assert environment.exit_code == 2
    assert "DRAGOMAN_WORKERS: Input should be greater than or equal to 1" in environment.output


def test_a_port_another_worker_group_holds_is_a_clear_error() -> None:
    # Sockets with SO_REUSEPORT share a port with any other that sets it: the check must
    # not let a second `serve --workers` join the first one's port silently.
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--workers", "2", "--bind", f"127.0.0.1:{port}"])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


REFUSED = re.compile(r"^\S+ INFO +(\d+) \[\w+\] dragoman\.access: POST /v1/chat/completions 429 ", re.M)


def test_a_cooldown_one_worker_learns_holds_in_every_worker_within_a_second(
    served: Served, fakes: FakeUpstreams
) -> None:
    workers = served.workers()
    fakes.anthropic.script(Reply(error=Failure(429, "slow down", retry_after=600)))
    first = httpx.post(served.url + "/v1/chat/completions", json=CHAT, timeout=10)
    assert first.status_code == 429
    time.sleep(1.0)
    refused = [httpx.post(served.url + "/v1/chat/completions", json=CHAT, timeout=10) for _ in range(30)]
    assert len(fakes.anthropic.requests) == 1  # no worker asked the cooling account again
    assert all(r.status_code == 429 and 500 <= int(r.headers["retry-after"]) <= 631 for r in refused)
    assert {int(pid) for pid in REFUSED.findall(served.text())} == workers


def two_accounts(fakes: FakeUpstreams, preferred: str) -> str:
    """config.toml with accounts a and b on the fake, `preferred` in the better tier."""
    tables = [
        f'[providers.{name}]\nkind = "anthropic"\nbase_url = "{fakes.anthropic.base_url}"\n'
        f'api_key = "{fakes.anthropic.key}"\nmodels = ["claude-sonnet-4-6"]\n'
        f'headers = {{ x-account = "{name}" }}\npriority = {0 if name == preferred else 1}\n'
        for name in ("a", "b")
    ]
    return "\n".join(tables)


def test_every_worker_serves_the_config_file_as_it_changes(
    served: Served, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    served.workers()
    config = dragoman_home / "config.toml"
    config.write_text(two_accounts(fakes, preferred="b"))
    eventually(lambda: served.text().count("now serving its new [providers]") == 2)
    served.chat(10)
    config.write_text(two_accounts(fakes, preferred="a") + "\n[pools]\nstrategy = 'zigzag'\n")
    eventually(lambda: served.text().count("cannot be used, the running configuration stays") == 2)
    served.chat(10)
    assert [request.header("x-account") for request in fakes.anthropic.requests] == ["b"] * 20
    assert f"{config}: pools.strategy: Input should be" in served.text()
    assert "Traceback" not in served.text()


def test_an_account_disabled_through_one_worker_is_left_out_by_every_worker(
    served: Served, fakes: FakeUpstreams
) -> None:
    workers = served.workers()
    disabled = httpx.post(served.url + "/v1/admin/accounts/up/disable", timeout=10)
    assert disabled.status_code == 200 and disabled.json()["state"]["status"] == "disabled"
    time.sleep(3.0)  # the other worker reads the change on its next account poll (every 2 s)
    refused = [httpx.post(served.url + "/v1/chat/completions", json=CHAT, timeout=10) for _ in range(30)]
    assert fakes.anthropic.requests == []
    assert all(r.status_code == 429 and "disabled" in r.json()["error"]["message"] for r in refused)
    assert {int(pid) for pid in REFUSED.findall(served.text())} == workers
    enabled = httpx.post(served.url + "/v1/admin/accounts/up/enable", timeout=10)
    assert enabled.json()["state"]["status"] == "ready"
    time.sleep(3.0)
    served.chat(10)
    assert len(fakes.anthropic.requests) == 10


def scraped(url: str) -> str:
    response = httpx.get(url + "/metrics", headers={"authorization": f"Bearer {KEY}"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.text


@pytest.mark.parametrize("served", [["--api-key", KEY]], indirect=True)
def test_metrics_sum_the_requests_of_every_worker_whichever_is_scraped(served: Served) -> None:
    workers = served.workers()
    assert httpx.get(served.url + "/metrics").status_code == 401
    served.chat(30, key=KEY)
    assert served.answered_by() == workers  # both workers served some
    labels = 'dialect="openai_chat",model="claude-sonnet-4-6",provider="up",status="200"'
    chats = f"dragoman_requests_total{{{labels}}}"
    # The last request is counted just after its last byte: looked for until it is.
    eventually(lambda: f"{chats} 30.0" in scraped(served.url))
    for _ in range(6):  # a new connection each time: the scrapes reach both workers
        text = scraped(served.url)
        assert f"{chats} 30.0" in text
        assert "dragoman_requests_in_flight 1.0" in text  # this scrape, whichever worker has it


@pytest.mark.parametrize("served", [["--log-file", "{tmp}/logs/dragoman.log"]], indirect=True)
def test_each_worker_writes_a_log_file_of_its_own(served: Served, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    own = logs / "dragoman.log"
    eventually(lambda: own.read_text().count(" serving") == 2)
    workers = {int(pid) for pid in re.findall(r"worker (\d+) serving", own.read_text())}
    served.chat(20)
    assert served.answered_by() == set(), "the access lines went to the files, not stderr"
    files = [logs / f"dragoman.worker-{n}.log" for n in (1, 2)]
    by_file = [{int(pid) for pid in ANSWERED.findall(path.read_text())} for path in files]
    assert by_file[0] | by_file[1] == workers
    assert len(by_file[0]) == len(by_file[1]) == 1  # one writer each


def test_every_workers_traces_land_in_one_database_and_one_live_stream(served: Served) -> None:
    workers = served.workers()
    seen: list[str] = []
    with httpx.stream("GET", served.url + "/v1/traces/stream", timeout=30) as stream:
        # The other worker finds a new listener when it next scans for one.
        time.sleep(SCAN_SECONDS * 3)
        served.chat(20)
        assert served.answered_by() == workers
        for line in stream.iter_lines():
            if line.startswith("data: "):
                seen.append(orjson.loads(line.removeprefix("data: "))["id"])
            if len(seen) == 20:
                break

    def listed() -> list[str] | None:
        found = httpx.get(served.url + "/v1/traces", params={"limit": 100}, timeout=10).json()["traces"]
        return [trace["id"] for trace in found] if len(found) == 20 else None

    assert sorted(eventually(listed)) == sorted(seen)
