"""How a setting that can hold a secret is shown: keys masked, a URL's password and
secret-looking query values hidden, credential headers masked.

The schema marks each such field with `masked(...)`; a dump with
`context={"masked": True}` (what `dragoman config show` prints) applies it, any other
dump leaves the value alone. Masked text is still a valid value of its field, so the
output reads back as configuration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from pydantic import SecretStr, SerializationInfo, SerializerFunctionWrapHandler, WrapSerializer

from dragoman.observe.redact import MASK, mask

# Header and query parameter names that carry credentials: Authorization, x-api-key,
# api-key, Cookie, x-goog-api-key, X-Custom-Token, client_secret, sig, ...
_CREDENTIAL_NAME = re.compile(r"auth|key|token|secret|cookie|passw|session|signature|sig$|credential", re.I)


def is_credential_name(name: str) -> bool:
    """Whether a header or query parameter of this name carries a credential."""
    return bool(_CREDENTIAL_NAME.search(name))


def masked_secret(value: str | SecretStr) -> str:
    return mask(value.get_secret_value() if isinstance(value, SecretStr) else value)


def masked_url(url: str) -> str:
    """`url` with its password (or a lone user name, often a token) and the values of
    credential query parameters hidden; the rest exactly as written."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return mask(url)
    shown = url
    userinfo, at, host = parts.netloc.rpartition("@")
    if at:
        user, colon, _password = userinfo.partition(":")
        hidden = f"{user}:{MASK}" if colon else mask(user)
        shown = shown.replace(f"//{parts.netloc}", f"//{hidden}@{host}", 1)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(is_credential_name(name) for name, _ in query):
        hidden = urlencode(
            [(name, MASK if is_credential_name(name) else value) for name, value in query], safe="*"
        )
        shown = shown.replace(f"?{parts.query}", f"?{hidden}", 1)
    return shown


def masked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: mask(value) if is_credential_name(name) else value for name, value in headers.items()}


def masked(hide: Callable[[Any], Any]) -> WrapSerializer:
    """The mark of a field that can hold a secret, with how to hide it when shown."""

    def serialize(value: Any, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        if value is not None and info.context and info.context.get("masked"):
            return hide(value)
        return handler(value)

    return WrapSerializer(serialize)
