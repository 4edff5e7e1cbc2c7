"""`dragoman serve` as a user runs it: a real process, real sockets, real signals."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from rich.console import Console

from dragoman.cli import cli
from dragoman.cli.serve import banner
from dragoman.config import load
from dragoman.server.app import load_gateway
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[str], timeout: float = 20.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early: {process.communicate()}")
        try:
            return httpx.get(url + "/healthz", timeout=1.0)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("serve did not become healthy")


@pytest.fixture
def serve(dragoman_home: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dragoman", "serve", "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DRAGOMAN_HOME": str(dragoman_home)},
    )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_starts_on_embedded_defaults_and_stops_on_sigterm(
    serve: tuple[subprocess.Popen[str], str], dragoman_home: Path
) -> None:
    process, url = serve
    assert wait_healthy(url, process).json() == {"status": "ok", "models": 0}
    assert not (dragoman_home / "dragoman.db").exists(), "no database is made before an account"
    assert dragoman_home.stat().st_mode & 0o777 == 0o700
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0
    assert url in stderr
    assert "POST /v1/messages" in stderr
    assert "No models yet. Add a [providers.NAME] table" in stderr
    assert "Application shutdown complete" in stderr
    assert "Traceback" not in stderr


def test_refuses_a_public_bind_without_a_key() -> None:
    result = CliRunner().invoke(cli, ["serve", "--bind", "0.0.0.0:4800"])
    assert result.exit_code == 2
    assert "refusing to listen on 0.0.0.0:4800 without an API key" in result.output
    assert "--api-key" in result.output


@pytest.mark.parametrize("bind", ["0.0.0.0", "127.0.0.1"])
@pytest.mark.parametrize("key", ["", "  "])
def test_an_empty_api_key_refuses_to_start(dragoman_home: Path, bind: str, key: str) -> None:
    """`--api-key "$KEY"` with KEY unset: run as a process, so a gateway that did start
    shows as a timeout instead of a test that never ends."""
    command = ["serve", "--bind", f"{bind}:{free_port()}", "--api-key", key]
    result = subprocess.run(
        [sys.executable, "-m", "dragoman", *command],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "DRAGOMAN_HOME": str(dragoman_home)},
    )
    assert result.returncode == 2, result.stderr
    assert "--api-key: an empty or blank key is not a key" in result.stderr
    assert "listening" not in result.stderr and "Traceback" not in result.stderr


def test_a_routing_model_nothing_serves_refuses_to_start(dragoman_home: Path) -> None:
    """Run as a process, like the empty key's test: a gateway that did start would hang."""
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(
        '[providers.local]\nkind = "openai_compatible"\nbase_url = "http://127.0.0.1:9/v1"\n'
        'models = ["qwen3:8b"]\n\n[auto.tiers]\nsimple = "qwen3:8"\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "dragoman", "serve", "--bind", f"127.0.0.1:{free_port()}"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "DRAGOMAN_HOME": str(dragoman_home)},
    )
    assert result.returncode == 2, result.stderr
    said = 'auto.tiers: simple "qwen3:8" is served by no provider (did you mean qwen3:8b?)'
    assert said in result.stderr
    assert "listening" not in result.stderr and "Traceback" not in result.stderr


def test_an_unreachable_redis_is_one_line_naming_it_with_its_password_masked(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    url = f"redis://ops:hunter2-secret@127.0.0.1:{free_port()}/0"  # nothing listens there
    (dragoman_home / "config.toml").write_text(f'detect_ollama = false\nredis_url = "{url}"\n')
    command = ["serve", "--bind", f"127.0.0.1:{free_port()}"]
    result = subprocess.run(
        [sys.executable, "-m", "dragoman", *command],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "DRAGOMAN_HOME": str(dragoman_home)},
    )
    assert result.returncode == 2, result.stderr
    assert f"redis_url {url.replace('hunter2-secret', '***')}: cannot reach Redis" in result.stderr
    assert "hunter2" not in result.stderr and "Traceback" not in result.stderr


def test_a_database_server_that_does_not_answer_stops_serve_after_the_connect_timeout(
    dragoman_home: Path,
) -> None:
    """A listener that never answers (a hung host, as a client sees it): `serve` gives up
    after `[database] connect_timeout`, not asyncpg's 60 s, in one line."""
    dragoman_home.mkdir(parents=True)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"postgresql+asyncpg://ops:pg-pass-0002@127.0.0.1:{silent.getsockname()[1]}/dragoman"
        config = f'detect_ollama = false\ndatabase_url = "{url}"\n[database]\nconnect_timeout = 1\n'
        (dragoman_home / "config.toml").write_text(config)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "dragoman", "serve", "--bind", f"127.0.0.1:{free_port()}"],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "DRAGOMAN_HOME": str(dragoman_home)},
        )
    assert result.returncode == 2, result.stderr
    assert time.monotonic() - started < 15
    said = "cannot open it: no answer within 1 s (the [database] connect_timeout)"
    assert said in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "pg-pass-0002" not in result.stderr and "Traceback" not in result.stderr


def test_a_bad_bind_flag_is_blamed_on_the_flag(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text('bind = ["127.0.0.1:5000"]\n')
    result = CliRunner().invoke(cli, ["serve", "--bind", "foo"])
    assert result.exit_code == 2
    assert "--bind: 'foo' is not HOST:PORT" in result.output
    assert "config.toml" not in result.output


def test_a_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--bind", f"127.0.0.1:{port}"])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def test_sigterm_lets_an_in_flight_stream_finish(dragoman_home: Path, fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(text="one two three four", chunks=4, chunk_delay=0.4))
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(
        '[providers.up]\nkind = "anthropic"\n'
        f'base_url = "{fakes.anthropic.base_url}"\napi_key = "{fakes.anthropic.key}"\n'
        'models = ["claude-sonnet-4-6"]\n'
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dragoman", "serve", "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DRAGOMAN_HOME": str(dragoman_home)},
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process)
        body = {
            "model": "claude-sonnet-4-6",
            "stream": True,
            "messages": [{"role": "user", "content": "count"}],
        }
        with httpx.stream("POST", url + "/v1/chat/completions", json=body, timeout=10) as response:
            chunks = response.iter_raw()
            first = next(chunks)
            process.send_signal(signal.SIGTERM)
            rest = b"".join(chunks)
        raw = first + rest
        assert b"[DONE]" in raw
        assert raw.count(b'"content"') >= 4
        _, stderr = process.communicate(timeout=15)
        assert process.returncode == 0, stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_the_readme_tour_without_openai_key_serves_the_rest(dragoman_home: Path) -> None:
    """The README's own tour config with OPENAI_API_KEY unset: the banner says openai is
    left out, and the local provider is served."""
    from tests.cli.test_models import readme_tour_config

    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(readme_tour_config())
    port = free_port()
    environ = {key: value for key, value in os.environ.items() if key != "OPENAI_API_KEY"}
    process = subprocess.Popen(
        [sys.executable, "-m", "dragoman", "serve", "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**environ, "DRAGOMAN_HOME": str(dragoman_home)},
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process)
        models = httpx.get(url + "/v1/models").json()
        # `auto` too: with no [auto] section, its every tier is the one model served.
        assert [model["id"] for model in models["data"]] == ["qwen3:8b", "auto"]
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert "1 models: qwen3:8b" in stderr
    assert "not served: providers.openai: no API key (set OPENAI_API_KEY" in stderr


def test_the_banner_shows_ids_addresses_and_paths_as_they_are(tmp_path: Path) -> None:
    home = tmp_path / "home[x]"
    home.mkdir()
    (home / "config.toml").write_text(
        'bind = ["[fe80::1]:4800", "127.0.0.1:4800"]\napi_keys = ["local-secret-1"]\ndetect_ollama = false\n'
        '[providers.p]\nkind = "openai_compatible"\nbase_url = "http://h/v1"\n'
        'models = ["[bold]m[/]", "[x]"]\n'
    )
    settings = load(home=home)
    gateway = asyncio.run(load_gateway(settings, environ={}))
    console = Console(record=True, width=200)
    console.print(banner(settings, gateway.registry))
    text = console.export_text()
    assert "http://[fe80::1]:4800" in text and "2 models: [bold]m[/], [x]" in text and "home[x]" in text


def test_the_empty_banner_names_the_table_to_add(tmp_path: Path) -> None:
    settings = load(home=tmp_path / "home", environ={})
    console = Console(record=True, width=300)
    console.print(banner(settings, asyncio.run(load_gateway(settings, environ={})).registry))
    assert "No models yet. Add a [providers.NAME] table to" in console.export_text()
