"""Finding the secrets in what a test configures: settings, accounts, command lines and
environments, read by name (`api_key`, `*_TOKEN`, `authorization`...) and in URLs
(`user:password@`), with no knowledge of which part of dragoman will read them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.secret_scan.registry import register

# A name whose value is a credential: `api_key`, `api_keys`, `OPENAI_API_KEY`, `x-api-key`,
# `refresh_token`, `client_secret`, `authorization`... but not `api_key_env` (it names a
# variable), `max_tokens` or `token_url`.
_SECRET_NAME = re.compile(
    r"(?:^|[_\-])(?:api[_\-]?keys?|key|keys|token|secret|password|passwd|authorization|cookie|credentials?)$",
    re.IGNORECASE,
)
_URL_SECRET_PARAMS = frozenset({"key", "api_key", "token", "access_token", "password"})
_FLAGS = ("--api-key", "--key", "--token", "--password")


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def harvest(data: Any, origin: str) -> None:
    """Register every secret found in `data`: nested mappings and lists, pydantic
    `SecretStr`s, secret-named fields and header values, URLs with credentials."""
    if isinstance(data, Mapping):
        for name, value in data.items():
            _field(str(name), value, f"{origin}.{name}")
    elif isinstance(data, list | tuple | set | frozenset):
        for item in data:
            harvest(item, origin)
    elif isinstance(data, str):
        harvest_url(data, origin)
    elif hasattr(data, "get_secret_value"):
        register(data.get_secret_value(), origin)


def _field(name: str, value: Any, origin: str) -> None:
    if is_secret_name(name):
        for item in value if isinstance(value, list | tuple) else [value]:
            secret = item.get_secret_value() if hasattr(item, "get_secret_value") else item
            if isinstance(secret, str):
                register(secret, origin)
                _scheme_token(secret, origin)
    harvest(value, origin)


def _scheme_token(value: str, origin: str) -> None:
    """The token of `Bearer <token>` / `Basic <token>`, a secret on its own."""
    scheme, _, token = value.partition(" ")
    if token and scheme.isalpha():
        register(token.strip(), origin)


def harvest_url(text: str, origin: str) -> None:
    if "://" not in text:
        return
    try:
        parts = urlsplit(text.strip())
        password = parts.password
    except ValueError:
        return
    register(password, f"{origin} (URL password)")
    for name, value in parse_qsl(parts.query):
        if name.lower() in _URL_SECRET_PARAMS:
            register(value, f"{origin} (?{name}=)")


def harvest_environ(environ: Mapping[str, str], origin: str) -> None:
    """Secret-named variables (`DRAGOMAN_API_KEY`, `OPENAI_API_KEY`...) and URLs with
    credentials (`DRAGOMAN_PROXY`, `DRAGOMAN_DATABASE_URL`)."""
    for name, value in environ.items():
        if is_secret_name(name):
            register(value, f"{origin} ${name}")
        elif "://" in value:
            harvest_url(value, f"{origin} ${name}")


def harvest_argv(argv: Iterable[object], origin: str) -> None:
    """`--api-key VALUE` and `--api-key=VALUE` on a command line."""
    words = [str(word) for word in argv]
    for index, word in enumerate(words):
        flag, equals, value = word.partition("=")
        if flag in _FLAGS and equals:
            register(value, f"{origin} {flag}")
        elif word in _FLAGS and index + 1 < len(words):
            register(words[index + 1], f"{origin} {word}")
        else:
            harvest_url(word, origin)
