"""The shape every client's setup module fills in, and where a user's home is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from dragoman.cli.setup.files import FileChange
from dragoman.cli.setup.target import Target

Environ = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Pointing:
    """Where a client's config points now, as read back from its files."""

    url: str | None
    model: str | None


@dataclass(frozen=True, slots=True)
class Client:
    name: str
    plan: Callable[[Target, Environ], list[FileChange]]  # the files as they should be
    paths: Callable[[Environ], list[Path]]  # every file `plan` may write, for --undo
    usage: Callable[[Target], str]  # how to run it once set up
    pointing: Callable[[Environ], Pointing]  # for `dragoman doctor`


def home(environ: Environ) -> Path:
    return Path(environ.get("HOME") or Path.home())


def folder(environ: Environ, variable: str, default: str) -> Path:
    """A client's config folder: its own variable when set, else `default` in HOME."""
    value = environ.get(variable)
    return Path(value).expanduser() if value else home(environ) / default
