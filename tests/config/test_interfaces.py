"""This machine's addresses, read with getifaddrs(3): loopback is always among them."""

from __future__ import annotations

from ipaddress import ip_address

from dragoman.config.interfaces import local_addresses


def test_the_loopback_address_is_found_and_no_link_local_one() -> None:
    found = local_addresses()
    assert ip_address("127.0.0.1") in found
    assert not any(address.is_link_local for address in found)
    assert len(found) == len(set(found))
