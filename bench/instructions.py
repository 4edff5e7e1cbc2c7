"""Instructions per request of `dragoman serve`, counted by cachegrind: a figure that
other work on the machine does not move (wall-clock figures on a shared box do).

    python -m bench.instructions                              # chat pass-through, tracing on
    python -m bench.instructions --env DRAGOMAN_TRACES__ENABLED=false
    python -m bench.instructions --viewers 10                 # 10 clients on /v1/traces/stream
    python -m bench.instructions --scenario chat-stream       # any of bench.scenarios
    python -m bench.instructions --key                        # a named key with limits sends them
    python -m bench.instructions --keep DIR                   # keep cachegrind's files: cg_diff them

dragoman runs under `valgrind --tool=cachegrind --cache-sim=no --trace-children=yes` at
the default `info` level (its trace writer's process counted too, apart), against the
bench's fake upstream; `ab -k -c 8` sends it 100 requests, then a fresh server 600:
(Ir(600) - Ir(100)) / 500 is what one request costs, start-up and warm-up cancelled out.
The batched trace writes are timed (one per second), so a server slowed by other work
writes more, smaller batches: on a busy machine pass `--nice -10` (root), or compare
only figures taken together. Needs valgrind and ab (`apt-get install -y valgrind
apache2-utils`); about a minute per figure. The dragoman run is the one `python -m
dragoman` imports (`PYTHONPATH=src` for a checkout's own).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import bodies, scenarios, services

COUNTS = (100, 600)
CONCURRENCY = 8
# valgrind makes dragoman's start-up some 50 times slower.
START_SECONDS = 400.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=[item.key for item in scenarios.SCENARIOS], default="chat")
    parser.add_argument("--viewers", type=int, default=0, help="clients reading /v1/traces/stream meanwhile")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="for dragoman serve")
    parser.add_argument(
        "--key", action="store_true", help="send with a named key holding limits (KEY_LIMITS): what they cost"
    )
    parser.add_argument("--keep", type=Path, help="copy the cachegrind out files here (cg_annotate, cg_diff)")
    parser.add_argument(
        "--nice", type=int, default=0, help="niceness of dragoman and ab (as python -m bench's)"
    )
    args = parser.parse_args(argv)
    services.prioritize(os.getpid(), args.nice)  # inherited by all this starts
    env = dict(item.split("=", 1) for item in args.env)
    with tempfile.TemporaryDirectory(prefix="dragoman-instructions-") as folder:
        workdir = Path(folder)
        upstream = services.upstream(workdir).start()
        try:
            totals = [
                counted(workdir, upstream.url, n, args.scenario, args.viewers, env, args.key) for n in COUNTS
            ]
        finally:
            upstream.stop()
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            for out in workdir.glob("cachegrind.*"):
                shutil.copy(out, args.keep / out.name)
    (gateway_100, others_100), (gateway_600, others_600) = totals
    per_request = (gateway_600 - gateway_100) / (COUNTS[1] - COUNTS[0])
    others = (others_600 - others_100) / (COUNTS[1] - COUNTS[0])
    print(f"{args.scenario}{', keyed' if args.key else ''}, {args.viewers} viewers, "
          f"{' '.join(args.env) or 'defaults'}: "
          f"{per_request / 1000:.0f}k instructions per request (Ir {gateway_100} / {gateway_600}), "
          f"and {others / 1000:.0f}k in its other processes (the trace writer's)")  # fmt: skip
    return 0


def counted(
    workdir: Path,
    upstream_url: str,
    requests: int,
    scenario: str,
    viewers: int,
    env: dict[str, str],
    keyed: bool = False,
) -> tuple[int, int]:
    """The instructions a fresh `dragoman serve` ran, from start to stop, serving
    `requests` requests of the scenario (`keyed`: sent with a named key with limits):
    in its own process, and in the processes it started."""
    home = workdir / f"home-{requests}"
    home.mkdir()
    port, out = services.free_port(), workdir / f"cachegrind.{requests}"
    (home / "config.toml").write_text(services.dragoman_config(upstream_url))
    key = named_key(home, port) if keyed else scenarios.KEY
    argv = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--trace-children=yes"]
    argv += [f"--cachegrind-out-file={out}.%p", sys.executable]
    argv += ["-m", "dragoman", "serve", "--bind", f"127.0.0.1:{port}"]
    environ = services.clean_env(DRAGOMAN_HOME=str(home), **env)
    with (workdir / f"serve-{requests}.log").open("wb") as log:
        server = subprocess.Popen(
            argv, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    stop = threading.Event()
    try:
        _wait_ready(port, server)
        for _ in range(viewers):
            threading.Thread(target=_view, args=(port, stop), daemon=True).start()
        time.sleep(3 if viewers else 0)  # every viewer subscribed before the first request
        _load(workdir, port, requests, scenario, key)
        time.sleep(2)
    finally:
        stop.set()
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=300)
    Path(f"{out}.{server.pid}").rename(out)
    return _total(out), sum(_total(child) for child in workdir.glob(f"{out.name}.*"))


def _wait_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("dragoman serve exited at start")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"dragoman serve did not answer within {START_SECONDS:.0f} s")


def _view(port: int, stop: threading.Event) -> None:
    """A live viewer: reads the trace stream until told to stop."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", "/v1/traces/stream", headers={"Authorization": f"Bearer {scenarios.KEY}"})
    answer = connection.getresponse()
    while not stop.is_set() and answer.fp.readline():
        pass
    connection.close()


# The keyed client's limits: every kind a request reserves and settles (a money budget,
# a token count in the user's zone, a rolling rate, an in-flight slot), none reached.
KEY_LIMITS = (
    "--budget", "1000000usd/month", "--tokens", "1000000M/day", "--rpm", "1000000", "--max-concurrent", "64",
)  # fmt: skip
# A money budget needs the model's price: list-like rates for the bench's chat model.
KEY_PRICE = f'\n[prices."{bodies.MODELS["chat"]}"]\ninput = 2.0\noutput = 8.0\n'


def named_key(home: Path, port: int) -> str:
    """A named key made by `dragoman keys create` in `home` (whose config binds `port`,
    where nothing listens yet, so the command keeps it in the home): its secret."""
    config = home / "config.toml"
    config.write_text(f'bind = "127.0.0.1:{port}"\n' + config.read_text() + KEY_PRICE)
    argv = [sys.executable, "-m", "dragoman", "keys", "create", "bench", *KEY_LIMITS, "--json"]
    made = subprocess.run(
        argv, env=services.clean_env(DRAGOMAN_HOME=str(home)), capture_output=True, text=True, check=True
    )
    secret: str = json.loads(made.stdout)["secret"]
    return secret


def _load(workdir: Path, port: int, requests: int, scenario: str, key: str) -> None:
    sent = next(item for item in scenarios.SCENARIOS if item.key == scenario)
    body = workdir / "body.json"
    body.write_bytes(sent.body)
    argv = ["ab", "-k", "-n", str(requests), "-c", str(CONCURRENCY), "-p", str(body)]
    argv += ["-T", "application/json"]
    for header in sent.headers:
        argv += ["-H", header.replace(scenarios.KEY, key)]
    argv.append(f"http://127.0.0.1:{port}{sent.client_path}")
    report = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    failed = re.search(r"Failed requests:\s+(\d+)", report)
    if failed is None or failed[1] != "0" or "Non-2xx" in report:
        raise RuntimeError(f"ab saw failures:\n{report}")


def _total(out: Path) -> int:
    for line in out.read_text().splitlines():
        if line.startswith("summary:"):
            return int(line.split()[1])
    raise RuntimeError(f"no summary in {out}")


if __name__ == "__main__":
    sys.exit(main())
