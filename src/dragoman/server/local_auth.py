"""The gateway's own key check, in every dialect's convention.

A client may present its key as `Authorization: Bearer`, `x-api-key`,
`x-goog-api-key` or `?key=`: whatever its SDK sends. Keys are compared in constant
time against every configured key, so timing tells nothing about which one is close.
"""

from __future__ import annotations

import hmac

from starlette.requests import HTTPConnection

from dragoman.ir.errors import AuthenticationFailed


def presented_key(connection: HTTPConnection) -> str | None:
    headers = connection.headers
    authorization = headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return headers.get("x-api-key") or headers.get("x-goog-api-key") or connection.query_params.get("key")


def check(connection: HTTPConnection, keys: list[bytes]) -> None:
    """Raise AuthenticationFailed unless the connection carries one of `keys`.

    With no keys configured every request passes: `dragoman serve` refuses to listen
    beyond loopback in that case.
    """
    if not keys:
        return
    key = presented_key(connection)
    if key is None:
        raise AuthenticationFailed(
            "missing API key: send one of the keys given to `dragoman serve --api-key` "
            "(as Authorization: Bearer, x-api-key, x-goog-api-key or ?key=)"
        )
    candidate = key.encode()
    matched = False
    for expected in keys:
        matched |= hmac.compare_digest(candidate, expected)
    if not matched:
        raise AuthenticationFailed("invalid API key: it matches none of the keys this dragoman accepts")


def key_names(keys: list[str]) -> dict[str, str]:
    """A name per local key ("key1", "key2", ...), to scope what is kept per client (a
    session binding) without keeping the key itself."""
    return {key: f"key{n}" for n, key in enumerate(keys, start=1)}


def key_name(connection: HTTPConnection, names: dict[str, str]) -> str:
    """The name of the key this (already checked) connection presented; "-" when the
    gateway has no keys."""
    key = presented_key(connection) if names else None
    return names.get(key, "-") if key is not None else "-"
