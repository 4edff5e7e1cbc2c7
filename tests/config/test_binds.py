from __future__ import annotations

from ipaddress import ip_address

import click
import pytest

from dragoman.cli.serve import refuse_open_binds
from dragoman.config import binds, load
from dragoman.config.binds import parse_bind, parse_binds


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


MACHINE = [ip_address("127.0.0.1"), ip_address("192.168.1.7"), ip_address("10.0.0.3"), ip_address("fd00::2")]


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        ("192.168.1.0/24:4800", ["192.168.1.7"]),
        ("0.0.0.0/0:4800", ["127.0.0.1", "192.168.1.7", "10.0.0.3"]),
        ("[fd00::/64]:4800", ["fd00::2"]),
        ("fd00::/64:4800", ["fd00::2"]),
        ("192.168.1.7:4800", ["192.168.1.7"]),
    ],
)
def test_a_network_selects_this_machines_addresses_in_it(text: str, hosts: list[str]) -> None:
    binds = parse_binds(text, lambda: MACHINE)
    assert [(bind.host, bind.port) for bind in binds] == [(host, 4800) for host in hosts]


def test_a_network_no_interface_is_in_is_refused_naming_the_machines_addresses() -> None:
    with pytest.raises(ValueError) as caught:
        parse_binds("172.16.0.0/12:4800", lambda: MACHINE)
    assert str(caught.value) == (
        "'172.16.0.0/12:4800': no address of this machine is in 172.16.0.0/12 "
        "(its addresses: 127.0.0.1, 192.168.1.7, 10.0.0.3, fd00::2)"
    )


def test_a_selector_that_is_no_network_is_refused() -> None:
    with pytest.raises(ValueError, match="is not a network"):
        parse_binds("192.168.1.0/33:4800", lambda: MACHINE)


def test_a_loopback_network_in_the_config_binds_loopback_only() -> None:
    settings = load(overrides={"bind": "127.0.0.0/8:4800,[::1]:4801"}, environ={})
    assert [str(bind) for bind in settings.bind] == ["127.0.0.1:4800", "[::1]:4801"]
    assert all(bind.is_loopback for bind in settings.bind)


def test_a_lan_network_still_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(binds, "local_addresses", lambda: MACHINE)
    settings = load(overrides={"bind": "192.168.1.0/24:4800"}, environ={})
    assert [str(bind) for bind in settings.bind] == ["192.168.1.7:4800"]
    with pytest.raises(click.UsageError, match=r"listen on 192\.168\.1\.7:4800 without an API key"):
        refuse_open_binds(settings)
    refuse_open_binds(load(overrides={"bind": "192.168.1.0/24:4800", "api_keys": ["k"]}, environ={}))
