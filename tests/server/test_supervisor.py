"""The supervisor of `serve --workers` on its own, with real worker processes."""

from __future__ import annotations

import socket

import pytest

from dragoman.config import load
from dragoman.server.supervisor import Supervisor


def test_a_worker_that_cannot_start_stops_them_all(caplog: pytest.LogCaptureFixture) -> None:
    # uvicorn cannot serve HTTP on a datagram socket: the workers fail as they start.
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
    with caplog.at_level("INFO", logger="dragoman.workers"):
        assert Supervisor(load(overrides={"workers": 2}), [[sock] for sock in sockets]).run() is False
    assert "before it could serve: stopping" in caplog.text
    assert all(sock.fileno() == -1 for sock in sockets)  # closed: nothing listens any more
