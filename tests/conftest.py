"""Shared test set-up: a private DRAGOMAN_HOME per test, no DRAGOMAN_* leaking in from
the machine, and the network closed beyond loopback, so no test can reach a real
provider by mistake. Over the whole session, the leak scan (tests/secret_scan) fails
the run if any configured secret shows in a log line, an HTTP answer or a CLI output."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# The CLI's rich consoles read COLUMNS once, when dragoman.cli.common is first imported, and
# keep that width. pytest-xdist's workers inherit a COLUMNS, and the first test to import the
# CLI may be inside a CliRunner whose env sets one: either would fix every later table's width.
# So the consoles are made here, with no COLUMNS, and size themselves per test after.
os.environ.pop("COLUMNS", None)
import dragoman.cli.common  # noqa: F401

# Property tests draw the same examples on every run (`derandomize`): a CI run fails
# only on what a change did, never on a new example met by chance. To explore, run
# them with fresh randomness: HYPOTHESIS_PROFILE=explore python -m pytest tests/fuzz
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", max_examples=2_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

pytest_plugins = ["tests.fakes.fixtures", "tests.secret_scan.plugin", "tests.databases", "pytester"]

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_local(address: object) -> bool:
    if not isinstance(address, tuple):
        return True  # unix sockets
    host = str(address[0])
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise ConnectionRefusedError(f"tests may not reach {address!r}: only loopback")
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_local(address):
        raise ConnectionRefusedError(f"tests may not reach {address!r}: only loopback")
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and not _is_local((name, 0)):
        raise socket.gaierror(socket.EAI_NONAME, f"tests may not resolve {name!r}: only loopback")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _real_getaddrinfo


@pytest.fixture(autouse=True, scope="session")
def _session_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A home for the gateways of module- and session-scoped fixtures, which start
    before any test's own: never the machine's ~/.dragoman (whose database a newer
    checkout may have migrated past this one)."""
    previous = os.environ.get("DRAGOMAN_HOME")
    os.environ["DRAGOMAN_HOME"] = str(tmp_path_factory.mktemp("session-home"))
    yield
    if previous is None:
        os.environ.pop("DRAGOMAN_HOME", None)
    else:
        os.environ["DRAGOMAN_HOME"] = previous


@pytest.fixture(autouse=True)
def dragoman_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home folder for each test; the machine's DRAGOMAN_* variables removed."""
    for name in list(os.environ):
        if name.startswith("DRAGOMAN_"):
            monkeypatch.delenv(name)
    home = tmp_path / "dragoman-home"
    monkeypatch.setenv("DRAGOMAN_HOME", str(home))
    # A developer's running Ollama must not change what tests see; Ollama tests opt in.
    monkeypatch.setenv("DRAGOMAN_DETECT_OLLAMA", "false")
    return home


@pytest.fixture
def no_gateway(dragoman_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The config's bind address moved to a port nothing listens on: `dragoman accounts`
    commands, which call a dragoman answering there, work on the home folder, never on
    a dragoman running on this machine (at the default 127.0.0.1:4800)."""
    from tests.gateway import closed_port

    with closed_port() as port:
        monkeypatch.setenv("DRAGOMAN_BIND", f"127.0.0.1:{port}")
        yield
