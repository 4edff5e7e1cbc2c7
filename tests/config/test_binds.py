from __future__ import annotations

import pytest

from dragoman.config.binds import parse_bind


@pytest.mark.parametrize(
    ("text", "host", "port", "loopback"),
    [
        ("127.0.0.1:4800", "127.0.0.1", 4800, True),
        ("localhost:1", "localhost", 1, True),
        ("[::1]:4800", "::1", 4800, True),
        ("0.0.0.0:80", "0.0.0.0", 80, False),
        ("192.168.1.5:4800", "192.168.1.5", 4800, False),
        ("example.com:443", "example.com", 443, False),
    ],
)
def test_parse(text: str, host: str, port: int, loopback: bool) -> None:
    bind = parse_bind(text)
    assert (bind.host, bind.port, bind.is_loopback) == (host, port, loopback)


@pytest.mark.parametrize(
    "text", ["4800", "127.0.0.1", "127.0.0.1:port", "127.0.0.1:0", "127.0.0.1:70000", ":80"]
)
def test_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_bind(text)


def test_url_brackets_ipv6() -> None:
    assert parse_bind("[::1]:4800").url == "http://[::1]:4800"
