"""Starting and stopping the processes under test, each in its own session on loopback."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench import bodies, scenarios

BENCH = Path(__file__).resolve().parent
LITELLM_VENV = BENCH / ".venv-litellm"
START_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(**extra: str) -> dict[str, str]:
    """The environment minus anything that could send loopback traffic elsewhere or
    reconfigure dragoman behind the benchmark's back."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAGOMAN_") and "PROXY" not in k.upper()}
    return {**env, "NO_PROXY": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1", **extra}


@dataclass
class Service:
    name: str
    argv: list[str]
    port: int
    health: str
    log: Path
    env: dict[str, str] = field(default_factory=clean_env)
    nice: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> Service:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                self.argv, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            prioritize(self.process.pid, self.nice)
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start; see {self.log}")
            try:
                with urllib.request.urlopen(self.url + self.health, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers: that is ready enough
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer within {START_SECONDS:.0f} s; see {self.log}")

    def stop(self) -> None:
        """SIGTERM to the session this service leads (it and its children), then SIGKILL."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


@dataclass
class RedisService(Service):
    """A gateway keeping its runtime state in a Redis under a prefix of its own, whose
    keys are deleted once it has stopped: a bench run leaves that Redis as it found it."""

    redis_url: str = ""
    prefix: str = ""

    def stop(self) -> None:
        super().stop()
        import redis  # dragoman's own dependency, loaded only by runs that use it

        with redis.Redis.from_url(self.redis_url) as client:
            keys = list(client.scan_iter(match=self.prefix + "*", count=1000))
            if keys:
                client.delete(*keys)


@dataclass
class ViewedService(Service):
    """A gateway with `viewers` clients on its live trace stream meanwhile
    (`bench.viewers`, a process of its own), started once it answers."""

    viewers: int = 0
    watching: subprocess.Popen[bytes] | None = None

    def start(self) -> Service:
        super().start()
        argv = [sys.executable, "-m", "bench.viewers", self.url, str(self.viewers)]
        self.watching = subprocess.Popen(argv, env=_in_repo(), stdout=subprocess.PIPE)
        assert self.watching.stdout is not None
        if self.watching.stdout.readline().strip() != b"subscribed":
            self.stop()
            raise RuntimeError(f"{self.name}: its trace viewers did not subscribe")
        return self

    def stop(self) -> None:
        if self.watching is not None and self.watching.poll() is None:
            self.watching.kill()
            self.watching.wait(timeout=5)
        super().stop()


def viewed(service: Service, viewers: int) -> ViewedService:
    """The same gateway with `viewers` live trace viewers."""
    fields = {name: getattr(service, name) for name in ("name", "argv", "port", "health", "log", "env")}
    return ViewedService(**fields, viewers=viewers)


def prioritize(pid: int, nice: int) -> None:
    """Run `pid` (and the rest of its session) at `nice`. With autogroup scheduling a
    process's niceness only counts inside its session, so the session's is set too."""
    if not nice:
        return
    os.setpriority(os.PRIO_PROCESS, pid, nice)
    with contextlib.suppress(OSError):  # no autogroup on this kernel: niceness is all there is
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))


def upstream(workdir: Path) -> Service:
    port = free_port()
    argv = [sys.executable, "-m", "bench.upstream", str(port)]
    return Service("upstream", argv, port, "/v1/models", workdir / "upstream.log", _in_repo())


def floor(workdir: Path, upstream_url: str) -> Service:
    port = free_port()
    argv = [sys.executable, "-m", "bench.floor", str(port), upstream_url]
    return Service("floor", argv, port, "/healthz", workdir / "floor.log", _in_repo())


def _in_repo() -> dict[str, str]:
    return clean_env(PYTHONPATH=str(BENCH.parent))


def dragoman_config(upstream_url: str, pool: int = 1, keyed: bool = True) -> str:
    """Three fake providers, one per dialect; with `pool` > 1, that many provider tables
    (accounts) per dialect serving its model, all on the one fake: a pool to choose from.
    `keyed`: every request's key checked, as issue 16 measures (the bench's clients send
    `scenarios.KEY`)."""
    tables = [
        ("chat", "openai_chat", bodies.MODELS["chat"]),
        ("anth", "anthropic", bodies.MODELS["anthropic"]),
        ("resp", "openai_responses", bodies.MODELS["responses"]),
    ]
    lines = ["detect_ollama = false", f'api_keys = ["{scenarios.KEY}"]' if keyed else "", ""]
    for name, dialect, model in tables:
        for account in [name] if pool == 1 else [f"{name}-{n}" for n in range(1, pool + 1)]:
            lines += [
                f"[providers.{account}]",
                'kind = "openai_compatible"',
                f'dialect = "{dialect}"',
                f'base_url = "{upstream_url}/v1"',
                f'models = ["{model}"]',
                "",
            ]
    return "\n".join(lines)


def migrated(home: Path) -> None:
    """The home's database made before the gateway starts, as every start but a user's
    first finds it: a fresh one would be created (SQLAlchemy and Alembic loaded, a few
    hundred ms of CPU) by the first trace written, inside the measured runs."""
    argv = [sys.executable, "-m", "dragoman", "db", "upgrade"]
    subprocess.run(argv, env=clean_env(DRAGOMAN_HOME=str(home)), check=True, capture_output=True)


def dragoman(
    workdir: Path,
    upstream_url: str,
    name: str,
    log_level: str,
    pool: int = 1,
    tracing: bool = True,
    redis_url: str | None = None,
    fresh: bool = False,
    keyed: bool = True,
) -> Service:
    """`dragoman serve` with its own home holding a config of the fake providers;
    `tracing=False`: with `[traces] enabled = false`, what tracing costs to compare;
    `redis_url`: its runtime state in that Redis, as a replica's (under a prefix of its own);
    `fresh`: its database left for the gateway to make, as at a user's first start;
    `keyed`: with a key every request must carry (`dragoman_config`)."""
    home = workdir / f"home-{name}"
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(dragoman_config(upstream_url, pool, keyed))
    if not fresh:
        migrated(home)
    port = free_port()
    argv = [sys.executable, "-m", "dragoman", "serve", "--bind", f"127.0.0.1:{port}"]
    argv += ["--log-level", log_level]
    env = clean_env(DRAGOMAN_HOME=str(home))
    if not tracing:
        env["DRAGOMAN_TRACES__ENABLED"] = "false"
    if redis_url is None:
        return Service(name, argv, port, "/healthz", workdir / f"{name}.log", env)
    prefix = f"dragoman-bench-{port}:"
    env["DRAGOMAN_REDIS_URL"], env["DRAGOMAN_REDIS_PREFIX"] = redis_url, prefix
    return RedisService(
        name, argv, port, "/healthz", workdir / f"{name}.log", env, redis_url=redis_url, prefix=prefix
    )


def litellm_config(upstream_url: str) -> str:
    models = [
        (bodies.MODELS["chat"], f"openai/{bodies.MODELS['chat']}", f"{upstream_url}/v1"),
        (bodies.MODELS["anthropic"], f"anthropic/{bodies.MODELS['anthropic']}", upstream_url),
        # The `responses/` prefix makes LiteLLM call the Responses API, not Chat Completions.
        (bodies.MODELS["responses"], f"openai/responses/{bodies.MODELS['responses']}", f"{upstream_url}/v1"),
    ]
    lines = ["model_list:"]
    for name, model, base in models:
        lines += [
            f"  - model_name: {name}",
            "    litellm_params:",
            f"      model: {model}",
            f"      api_base: {base}",
            "      api_key: sk-bench",
        ]
    lines += ["litellm_settings:", "  telemetry: false", "  drop_params: true"]
    lines += ["general_settings:", "  disable_spend_logs: true", "  disable_error_logs: true"]
    return "\n".join(lines) + "\n"


def litellm(workdir: Path, upstream_url: str) -> Service:
    """LiteLLM's proxy from its own virtualenv: one worker, no database, no telemetry."""
    config = workdir / "litellm.yaml"
    config.write_text(litellm_config(upstream_url))
    port = free_port()
    argv = [str(LITELLM_VENV / "bin" / "litellm"), "--config", str(config), "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--num_workers", "1"]
    env = clean_env(
        LITELLM_TELEMETRY="False",
        LITELLM_LOG="WARNING",  # as dragoman's warning level: no access log line per request
        LITELLM_MODE="PRODUCTION",  # no .env file loading
        LITELLM_LOCAL_MODEL_COST_MAP="True",  # no fetch of the price list from the internet
        DISABLE_ADMIN_UI="True",
        LITELLM_MASTER_KEY=scenarios.KEY,
    )
    env.pop("DATABASE_URL", None)
    return Service("litellm", argv, port, "/health/liveliness", workdir / "litellm.log", env)


def dragoman_workers(workdir: Path, upstream_url: str, workers: int) -> Service:
    """`dragoman serve --workers N` (1: the plain single process)."""
    service = dragoman(workdir, upstream_url, f"dragoman-x{workers}", "warning")
    service.argv += ["--workers", str(workers)]
    return service
