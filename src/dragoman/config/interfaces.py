"""The IP addresses of this machine's network interfaces, read with the C library's
getifaddrs(3) (Linux and macOS; the standard library has no call for it).

Link-local IPv6 addresses (fe80::/10) are left out: listening on one needs the
interface named too, which a `HOST:PORT` bind cannot say.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import ipaddress
import socket
import sys

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class _SockAddr(ctypes.Structure):
    # BSD (macOS) puts a length byte before a one-byte family; Linux has a two-byte family.
    _fields_ = (
        [("sa_len", ctypes.c_uint8), ("sa_family", ctypes.c_uint8)]
        if sys.platform == "darwin"
        else [("sa_family", ctypes.c_uint16)]
    )


class _IfAddrs(ctypes.Structure):
    pass


_IfAddrs._fields_ = [
    ("ifa_next", ctypes.POINTER(_IfAddrs)),
    ("ifa_name", ctypes.c_char_p),
    ("ifa_flags", ctypes.c_uint),
    ("ifa_addr", ctypes.POINTER(_SockAddr)),
    ("ifa_netmask", ctypes.POINTER(_SockAddr)),
]

# Where the address bytes start in sockaddr_in and sockaddr_in6, and how many there are.
_LAYOUT = {socket.AF_INET: (4, 4), socket.AF_INET6: (8, 16)}


def local_addresses() -> list[IPAddress]:
    """Every address of every interface, each once, in the order the system lists them."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    head = ctypes.POINTER(_IfAddrs)()
    if libc.getifaddrs(ctypes.byref(head)) != 0:
        raise OSError(ctypes.get_errno(), "getifaddrs failed")
    try:
        found = [_address(entry.ifa_addr) for entry in _entries(head)]
    finally:
        libc.freeifaddrs(head)
    usable = [address for address in found if address is not None and not address.is_link_local]
    return list(dict.fromkeys(usable))


def _entries(head: ctypes._Pointer[_IfAddrs]) -> list[_IfAddrs]:
    entries, node = [], head
    while node:
        entries.append(node.contents)
        node = node.contents.ifa_next
    return entries


def _address(pointer: ctypes._Pointer[_SockAddr]) -> IPAddress | None:
    if not pointer or pointer.contents.sa_family not in _LAYOUT:
        return None
    offset, size = _LAYOUT[pointer.contents.sa_family]
    raw = ctypes.string_at(ctypes.addressof(pointer.contents) + offset, size)
    return ipaddress.ip_address(raw)
