"""Credentials sealed at rest: each secret column of an accounts row encrypted with
AES-256-GCM under the keyring's sealing key (`dragoman.store.keyring`).

An envelope is text: `dgmseal1:<key id>:<base64url(nonce + ciphertext + tag)>`. The
associated data is the row's id and the column's name, so a ciphertext copied to another
row or column fails its check like any other change. A value without the prefix is
plaintext written by a dragoman from before sealing (read as is, sealed when the
database is next opened: `dragoman.store.rekey`).

Sealed: `api_key`, `access_token`, `refresh_token`, and `extra` whole (a login's
`id_token`, and whatever else a provider keeps there), as a JSON string.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from typing import Any

import orjson

from dragoman.store.keyring import VARIABLE, Keyring, SecretKeyError

PREFIX = "dgmseal1:"
SEALED = ("api_key", "access_token", "refresh_token", "extra")
_NONCE = 12
# Opened envelopes kept per keyring: far more than any home's accounts times columns.
_OPENED_MAX = 4096


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(keys: Keyring, text: str, context: str) -> str:
    """`text` sealed for the place `context` names."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # ~130 ms: once there is a secret

    kid, key = keys.sealing_key()
    nonce = os.urandom(_NONCE)
    body = AESGCM(key).encrypt(nonce, text.encode(), context.encode())
    return f"{PREFIX}{kid}:{base64.urlsafe_b64encode(nonce + body).decode()}"


def unseal(keys: Keyring, value: str, context: str, what: str) -> str:
    """The text `value` seals for `context`; SecretKeyError naming `what` when no key
    held opens it, or when it was changed."""
    found = keys.opened.get((value, context))
    if found is not None:
        return found
    kid, _, body = value[len(PREFIX) :].partition(":")
    key = keys.opening_key(kid)
    if key is None:
        raise SecretKeyError(_unknown_key(keys, kid, what))
    text = _decrypt(key, body, context, what)
    if len(keys.opened) >= _OPENED_MAX:
        keys.opened.clear()
    keys.opened[(value, context)] = text
    return text


def _decrypt(key: bytes, body: str, context: str, what: str) -> str:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.b64decode(body, altchars=b"-_", validate=True)
        return AESGCM(key).decrypt(raw[:_NONCE], raw[_NONCE:], context.encode()).decode()
    except (InvalidTag, binascii.Error, ValueError):
        raise SecretKeyError(
            f"{what} fails its integrity check: it was changed outside dragoman, or copied "
            "from another account. Remove the account and add it (or log in) again"
        ) from None


def _unknown_key(keys: Keyring, kid: str, what: str) -> str:
    held = keys.ids()
    if keys.variable is not None:
        found, fix = f"which {VARIABLE} does not hold (it holds: {', '.join(held)})", f"add it to {VARIABLE}"
    elif held:
        found = f"which {keys.file} does not hold (it holds: {', '.join(held)})"
        fix = f"put it back in {keys.file}"
    else:
        found = f"but there is no key ({VARIABLE} is unset, {keys.file} does not exist)"
        fix = f"set {VARIABLE} to it or put it back in {keys.file}"
    return (
        f"{what} was sealed with key {kid}, {found}: {fix} (README, Secrets at rest), "
        "or remove the account and add it (or log in) again"
    )


def context(account_id: int, column: str) -> str:
    """The associated data of one column of one accounts row."""
    return f"dragoman/accounts/{account_id}/{column}"


def sealed_columns(keys: Keyring, account_id: int, values: Mapping[str, Any]) -> dict[str, Any]:
    """The secret columns among `values`, sealed for row `account_id` (None stays None)."""
    sealed: dict[str, Any] = {}
    for name in SEALED:
        if name not in values:
            continue
        value = values[name]
        if name == "extra":
            value = orjson.dumps(value or {}).decode()
        sealed[name] = None if value is None else seal(keys, value, context(account_id, name))
    return sealed


def opened_columns(keys: Keyring | None, row: Mapping[Any, Any]) -> dict[str, Any]:
    """The secret columns of `row` in clear. Without `keys`, sealed ones are left out
    (None, and `extra` empty): what is enough to remove an account whose key is lost."""
    opened: dict[str, Any] = {}
    for name in SEALED:
        value = row[name]
        if is_sealed(value):
            what = f"the {name} of account {row['label']!r}"
            value = None if keys is None else unseal(keys, value, context(row["id"], name), what)
        if name == "extra":
            value = _extra(value)
        opened[name] = value
    return opened


def _extra(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = orjson.loads(value)
    return dict(value or {})


def holds_plaintext(row: Mapping[Any, Any]) -> bool:
    """Whether a secret column of `row` is in clear (written before sealing existed)."""
    return any(row[name] is not None and not is_sealed(row[name]) for name in SEALED)
