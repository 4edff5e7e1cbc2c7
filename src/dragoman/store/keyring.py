"""The keys that seal stored credentials: from `DRAGOMAN_SECRET_KEY`, else `secret.key`
in the home (0600), made on first use.

A key is 32 random bytes written as URL-safe base64 (44 characters, `=` padding
optional). Both sources may hold several keys: a comma-separated variable, or one key
a line in the file. The first seals; every one opens what it sealed, so that a rotation
(`dragoman db rotate-key`) can run while replicas read. A key is known by its id, the
first 8 hex digits of a hash of it: the envelopes name it (`dragoman.store.sealing`),
errors may show it, nothing ever shows a key.

The file is read when first needed and again when it changed (another process rotated
it): checked before each seal, and when an envelope names a key this ring does not
hold. The variable is read once: replicas sharing it change it together.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from dragoman.config import ConfigError
from dragoman.observe import redact
from dragoman.store.files import file_stamp

VARIABLE = "DRAGOMAN_SECRET_KEY"
KEY_FILE = "secret.key"
KEY_BYTES = 32
_FORMAT = f"{KEY_BYTES} random bytes in URL-safe base64 (44 characters)"


class SecretKeyError(ConfigError):
    """No usable key: a malformed one, none at all, or not the one a credential was sealed
    with. The message says what to do and never holds a key."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"dragoman secret key id\0" + key).hexdigest()[:8]


def new_key() -> str:
    """A fresh key, written as the variable and the file take it."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def parse_key(text: str, where: str) -> bytes:
    """The key `text` writes; SecretKeyError naming `where` (never the text) otherwise."""
    cleaned = text.strip()
    try:
        key = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise SecretKeyError(f"{where} is not a key: it must be {_FORMAT}; see README, Secrets at rest")
    return key


class Keyring:
    """The keys of one home (or of the variable), loaded when first asked for."""

    def __init__(self, home: Path, environ: Mapping[str, str] = os.environ) -> None:
        self.file = home / KEY_FILE
        # Set but blank (`DRAGOMAN_SECRET_KEY="$KEY"` with KEY unset) is refused, never read as
        # unset: a replica would make a key file of its own, and seal what the others cannot open.
        self.variable = environ.get(VARIABLE)
        self._keys: dict[str, bytes] = {}
        self._current: str | None = None
        self._seen: tuple[int, int, int] | None = None
        # Opened envelopes, so that the accounts read every few seconds are decrypted once.
        self.opened: dict[tuple[str, str], str] = {}

    @property
    def source(self) -> str:
        """Where the keys come from, as a person would name it."""
        return VARIABLE if self.variable is not None else str(self.file)

    def sealing_key(self) -> tuple[str, bytes]:
        """The key that seals now (its id, itself): the file made if there is none."""
        self._load(create=True)
        assert self._current is not None
        return self._current, self._keys[self._current]

    def opening_key(self, wanted: str) -> bytes | None:
        """The key with id `wanted`, the file read again if it changed; None if unknown."""
        if wanted not in self._keys or self._stale():
            self._load(create=False)
        return self._keys.get(wanted)

    def ids(self) -> list[str]:
        """The ids of the keys held, the sealing one first ([] when there are none yet)."""
        self._load(create=False)
        return list(self._keys)

    def replace_file(self, keys: list[str]) -> None:
        """Write the file anew, at once (a crash leaves the old one or the new one), holding
        `keys`, the first to seal; then use it."""
        _write_private(self.file, "".join(f"{key}\n" for key in keys))
        self._seen = None
        self._load(create=False)

    def file_keys(self) -> list[str]:
        """The keys the file holds, as written ([] when there is no file)."""
        try:
            text = self.file.read_text(encoding="ascii")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as error:
            raise SecretKeyError(f"{self.file} cannot be read ({_why(error)}): {_FIX_FILE}") from None
        return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]

    def _stale(self) -> bool:
        return self.variable is None and self._seen != file_stamp(self.file)

    def _load(self, *, create: bool) -> None:
        if self._keys and not self._stale():
            return
        if self.variable is not None:
            written, where = [part for part in self.variable.split(",") if part.strip()], VARIABLE
        else:
            self._seen = file_stamp(self.file)
            written, where = self.file_keys(), str(self.file)
            if not written and self._seen is not None:
                raise SecretKeyError(
                    f"{self.file} holds no key: put back the one the credentials were sealed with"
                )
            if not written and create:
                written = [_create(self.file)]
                self._seen = file_stamp(self.file)
        self._hold(written, [parse_key(text, where) for text in written])

    def _hold(self, written: list[str], keys: list[bytes]) -> None:
        if not keys and self.variable is not None:
            raise SecretKeyError(f"{VARIABLE} is set but empty: give it the key ({_FORMAT}), or unset it")
        # Masked in any log line, as written and in the padded form.
        redact.register(
            [*(text.strip() for text in written), *(base64.urlsafe_b64encode(k).decode() for k in keys)]
        )
        self._keys = {key_id(key): key for key in keys}
        self._current = next(iter(self._keys), None)


_FIX_FILE = "make it readable by dragoman's user, or set DRAGOMAN_SECRET_KEY"


def _why(error: BaseException) -> str:
    return getattr(error, "strerror", None) or type(error).__name__


def _create(path: Path) -> str:
    """A new key file at `path`, or the one another process made first: each writes a file
    of its own and links it into place, so all of them read the one that won."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    mine = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    key = new_key()
    try:
        _write_new(mine, f"{key}\n")
        with contextlib.suppress(FileExistsError):
            os.link(mine, path)
    except OSError as error:
        raise SecretKeyError(f"{path} cannot be written ({_why(error)}): {_FIX_FILE}") from None
    finally:
        mine.unlink(missing_ok=True)
    _sync_folder(path.parent)
    return path.read_text(encoding="ascii").splitlines()[0]


def _write_new(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())


def _write_private(path: Path, text: str) -> None:
    """Replace `path` with `text` at once, 0600, on disk before this returns."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        _write_new(temporary, text)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise SecretKeyError(f"{path} cannot be written ({_why(error)}): {_FIX_FILE}") from None
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    # The rename or link is durable only once the folder's entry is on disk.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
