"""`dragoman serve --bind NETWORK/PREFIX:PORT` as a user runs it: it listens on this
machine's addresses in that network, and one beyond loopback still needs a key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from dragoman.cli import cli
from dragoman.config.interfaces import local_addresses
from tests.cli.test_serve import free_port, wait_healthy


def test_a_loopback_network_is_listened_on_at_this_machines_address_in_it(dragoman_home: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dragoman", "serve", "--bind", f"127.0.0.0/8:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DRAGOMAN_HOME": str(dragoman_home)},
    )
    try:
        assert wait_healthy(f"http://127.0.0.1:{port}", process).json()["status"] == "ok"
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=15)
    assert f"http://127.0.0.1:{port}" in stderr


def test_a_network_holding_an_address_beyond_loopback_needs_a_key(dragoman_home: Path) -> None:
    outside = [address for address in local_addresses() if not address.is_loopback]
    assert outside, "this machine has no address beyond loopback to select"
    network = f"{outside[0]}/{outside[0].max_prefixlen}"
    bind = f"[{network}]:4800" if outside[0].version == 6 else f"{network}:4800"
    result = CliRunner().invoke(cli, ["serve", "--bind", bind])
    assert result.exit_code == 2, result.output
    host = f"[{outside[0]}]" if outside[0].version == 6 else str(outside[0])
    assert f"refusing to listen on {host}:4800 without an API key" in result.output
