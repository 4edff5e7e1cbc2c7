"""Listening addresses: `HOST:PORT`, `[v6]:PORT`, `NETWORK/PREFIX:PORT` (every address of
this machine in that network), and whether each is loopback only."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from dragoman.config.interfaces import IPAddress, local_addresses


@dataclass(frozen=True, slots=True)
class Bind:
    host: str
    port: int

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_bind(text: str) -> Bind:
    """`127.0.0.1:4800`, `[::1]:4800`, `0.0.0.0:80` -> Bind. Raises ValueError."""
    host, number = _split(text)
    return Bind(host=host, port=number)


def parse_binds(text: str, addresses: Callable[[], list[IPAddress]] | None = None) -> list[Bind]:
    """`HOST:PORT` -> [Bind]; `192.168.1.0/24:4800` -> a Bind for each address of this
    machine's interfaces in that network (read now: an address added later needs a
    restart). Raises ValueError, naming the machine's addresses when none is in it."""
    host, number = _split(text)
    if "/" not in host:
        return [Bind(host=host, port=number)]
    try:
        network = ipaddress.ip_network(host, strict=False)
    except ValueError:
        raise ValueError(f"{text.strip()!r}: {host!r} is not a network (e.g. 192.168.1.0/24)") from None
    local = (addresses or local_addresses)()
    matched = [address for address in local if address in network]
    if not matched:
        listed = ", ".join(map(str, local)) or "none"
        raise ValueError(
            f"{text.strip()!r}: no address of this machine is in {network} (its addresses: {listed})"
        )
    return [Bind(host=str(address), port=number) for address in matched]


def _split(text: str) -> tuple[str, int]:
    text = text.strip()
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:4800)")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    number = int(port)
    if not 0 < number < 65536:
        raise ValueError(f"{text!r}: port must be between 1 and 65535")
    return host, number
