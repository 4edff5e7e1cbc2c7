"""Where a process's settings came from, so that it can read them again while serving.

`dragoman serve` loads its settings once from the home folder, the config file, the
environment and its flags; a running server re-reads the file when it changes
(`server.config_watch`). `ConfigOrigin` keeps what that first load was given (the
flags as typed) and repeats it: the file as it is now, with `DRAGOMAN_*` variables and
flags on top exactly as at start. It is plain data, so it travels to every worker of
`serve --workers` with the settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dragoman.config.load import config_path, home_dir, load
from dragoman.config.schema import Settings


@dataclass(frozen=True, slots=True)
class ConfigOrigin:
    """The arguments of the `config.load` that made a process's settings."""

    home: str | None = None
    config: str | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    flags: Mapping[str, str] = field(default_factory=dict)

    def load(self, environ: Mapping[str, str] = os.environ) -> Settings:
        """The settings as they would be read now. Raises ConfigError."""
        return load(
            home=self.home, config=self.config, overrides=self.overrides, flags=self.flags, environ=environ
        )

    def path(self, environ: Mapping[str, str] = os.environ) -> Path:
        """The config file read (it may not exist yet)."""
        return config_path(self.config, home_dir(self.home, environ), environ)
