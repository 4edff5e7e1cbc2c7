"""The checks of this machine: the config, dragoman's folder and files, and the ports."""

from __future__ import annotations

import errno
import os
import socket
import stat
from pathlib import Path

import httpx

from dragoman.cli.doctor.findings import Finding, fail, ok, warn
from dragoman.config import ConfigError, Settings
from dragoman.config.binds import Bind
from dragoman.config.origin import ConfigOrigin
from dragoman.store.keyring import KEY_FILE

PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600


def config(origin: ConfigOrigin) -> tuple[Settings | None, Finding]:
    """The settings (None if they do not load) and what was found."""
    path = origin.path()
    try:
        settings = origin.load()
    except ConfigError as error:
        return None, fail("config", str(error), f"edit {path} (unknown keys and typos are errors)")
    where = str(path) if path.exists() else f"defaults ({path} does not exist)"
    return settings, ok("config", f"valid: {where}")


def permissions(settings: Settings, config_path: Path) -> list[Finding]:
    """dragoman's folder and the files holding keys or tokens: the user's alone."""
    home = settings.home.expanduser()
    if not home.exists():
        return [ok("home", f"{home} does not exist yet (created on first use)")]
    database = settings.sqlite_path.expanduser()
    found = [_mode(home, PRIVATE_FOLDER, secret=database.exists())]
    if config_path.exists():
        found.append(_mode(config_path, PRIVATE_FILE, secret=_config_holds_keys(settings)))
    if database.exists():
        found.append(_mode(database, PRIVATE_FILE, secret=True))
    key_file = home / KEY_FILE
    if key_file.exists():
        found.append(_mode(key_file, PRIVATE_FILE, secret=True))
    return found


def _config_holds_keys(settings: Settings) -> bool:
    return bool(settings.api_keys) or any(provider.api_key for provider in settings.providers.values())


def _mode(path: Path, wanted: int, *, secret: bool) -> Finding:
    """Open to others: a failure where keys or tokens are inside, else a warning."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & ~wanted:
        return ok("permissions", f"{path} is {mode:04o}")
    fix = f"chmod {wanted:o} {path}"
    if secret:
        return fail("permissions", f"{path} is {mode:04o}: others can read the keys or tokens in it", fix)
    return warn("permissions", f"{path} is {mode:04o}: others can read it", fix)


def ports(settings: Settings, models: set[str] | None = None) -> list[Finding]:
    return [port(bind, settings, models) for bind in settings.bind]


def port(bind: Bind, settings: Settings, models: set[str] | None = None) -> Finding:
    """Free to listen on, or this dragoman answers there (it takes this config's key and
    serves `models`, when known); anything else is in the way."""
    area = f"port {bind}"
    problem = _listen_error(bind)
    if problem is None:
        return ok(area, "free: `dragoman serve` can listen there")
    if problem != errno.EADDRINUSE:
        reason = os.strerror(problem)
        return fail(area, f"cannot listen there: {reason}", "set a `bind` of an address of this machine")
    try:
        answer = httpx.get(_local_url(bind) + "/healthz", timeout=2.0)
        health = answer.json()
    except (httpx.HTTPError, ValueError):
        health = None
    fix = f"stop what listens there (`ss -ltnp 'sport = :{bind.port}'` names it), or set another `bind`"
    if not isinstance(health, dict) or health.get("status") != "ok":
        return fail(area, "taken by another program", fix)
    other = _other_dragoman(bind, settings, models, health)
    if other:
        return fail(area, f"another dragoman answers there: {other}", fix)
    return ok(area, f"this dragoman answers there, serving {health.get('models')} models")


def _other_dragoman(
    bind: Bind, settings: Settings, models: set[str] | None, health: dict[str, object]
) -> str | None:
    """Why the dragoman answering on `bind` is not the one this config runs, or None."""
    keys = [key.get_secret_value() for key in settings.api_keys]
    headers = {"Authorization": f"Bearer {keys[0]}"} if keys else {}
    try:
        answer = httpx.get(_local_url(bind) + "/v1/models", headers=headers, timeout=2.0)
    except httpx.HTTPError:
        return "it does not list its models"
    if answer.status_code in (401, 403):
        return "it refuses this config's key"
    try:
        body = answer.json() if models is not None and answer.status_code == 200 else None
    except ValueError:
        body = None
    if not isinstance(body, dict) or models is None:
        return None
    listed = {str(card.get("id")) for card in body.get("data", []) if isinstance(card, dict)}
    if health.get("models") != len(models) or not models <= listed:
        return f"it serves {health.get('models')} models, this config {len(models)}"
    return None


def _listen_error(bind: Bind) -> int | None:
    """The errno of listening on `bind` now (EADDRINUSE: taken), or None: it is free."""
    family = socket.AF_INET6 if ":" in bind.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((bind.host, bind.port))
        except OSError as error:
            return error.errno or errno.EADDRNOTAVAIL
    return None


def _local_url(bind: Bind) -> str:
    wildcard = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(bind.host)
    return Bind(wildcard, bind.port).url if wildcard else bind.url
