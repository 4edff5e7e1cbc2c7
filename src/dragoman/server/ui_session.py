"""The dashboard's session cookie: the local key posted once to `/ui/login`, exchanged
for a cookie the browser sends instead of the key.

    dragoman_session = ISSUED.NONCE.MAC     MAC = HMAC-SHA256(secret, key | ISSUED.NONCE)

Nothing is kept per session: any worker verifies a cookie against the configured keys
with the per-home secret (`ui_secret` in the home folder, 0600, made once by whichever
worker needs it first), so `serve --workers` needs no shared session table, a changed
or removed key ends its sessions, and a new secret (the file deleted) ends them all.
Logging out clears the cookie in the browser; the cookie expires after LIFETIME.

A call authenticated by the cookie that changes something (any method but GET/HEAD)
must also carry the CSRF token (`x-csrf-token`, an HMAC of the cookie the page gets
from `GET /ui/session`) and come from this origin (Origin, else Referer): the cookie
being SameSite=Strict already keeps other sites' requests from carrying it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import secrets
import time
from pathlib import Path

from starlette.requests import HTTPConnection

COOKIE = "dragoman_session"
CSRF_HEADER = "x-csrf-token"
LIFETIME = 7 * 24 * 3600
SECRET_FILE = "ui_secret"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class UiSessions:
    """Issues and verifies session cookies for `keys`, signed with the home's secret."""

    def __init__(self, home: Path, keys: list[bytes]) -> None:
        self.home = home
        self.keys = keys
        self._secret: bytes | None = None

    def issue(self, key: bytes, now: float | None = None) -> str:
        body = f"{int(now if now is not None else time.time())}.{secrets.token_urlsafe(12)}"
        return f"{body}.{self._mac(key, body)}"

    def valid(self, cookie: str | None, now: float | None = None) -> bool:
        """The cookie was issued here for a key still configured, and is not expired."""
        if not cookie or cookie.count(".") != 2:
            return False
        body, _, mac = cookie.rpartition(".")
        issued = body.partition(".")[0]
        if not issued.isdigit() or (now if now is not None else time.time()) - int(issued) > LIFETIME:
            return False
        matched = False
        for key in self.keys:
            matched |= hmac.compare_digest(mac, self._mac(key, body))
        return matched

    def csrf(self, cookie: str) -> str:
        """The CSRF token that goes with this cookie."""
        return _b64(hmac.digest(self.secret(), b"csrf|" + cookie.encode(), hashlib.sha256))

    def csrf_passes(self, connection: HTTPConnection, cookie: str) -> bool:
        """A changing call made by this origin's page: its token and its origin."""
        token = connection.headers.get(CSRF_HEADER, "")
        return hmac.compare_digest(token, self.csrf(cookie)) and same_origin(connection)

    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = home_secret(self.home)
        return self._secret

    def _mac(self, key: bytes, body: str) -> str:
        return _b64(hmac.digest(self.secret(), key + b"|" + body.encode(), hashlib.sha256))


def home_secret(home: Path) -> bytes:
    """The home's dashboard secret, made (0600) if missing. Workers racing to make it
    all read the one that won: each writes its own file and links it into place."""
    path = home / SECRET_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        mine = home / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(secrets.token_bytes(32))
        try:
            os.link(mine, path)
        except FileExistsError:
            pass
        finally:
            mine.unlink()
    return path.read_bytes()


def same_origin(connection: HTTPConnection) -> bool:
    """The request's Origin (or, without one, its Referer) is this server's own."""
    own = f"{connection.url.scheme}://{connection.headers.get('host', '')}"
    origin = connection.headers.get("origin")
    if origin is not None:
        return origin == own
    referer = connection.headers.get("referer", "")
    return referer == own or referer.startswith(own + "/")


def loopback_host(connection: HTTPConnection) -> bool:
    """The request names this server by a loopback name or address (not a DNS name
    an attacker's page may have pointed at 127.0.0.1)."""
    host = connection.url.hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def from_a_page(connection: HTTPConnection) -> bool:
    """A browser sent it: browsers add Origin (every POST) or Referer; scripts and CLIs do not."""
    return "origin" in connection.headers or "referer" in connection.headers


def cookie_of(connection: HTTPConnection) -> str | None:
    return connection.cookies.get(COOKIE)


def _b64(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
