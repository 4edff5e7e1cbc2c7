"""What every command shares: the global options, loading settings, printing."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
import orjson
from rich.console import Console

from dragoman.config import ConfigError, Settings
from dragoman.config.origin import ConfigOrigin

F = TypeVar("F", bound=Callable[..., Any])

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

# The flag of each setting whose name differs from `--setting-name`, for errors.
FLAG_NAMES = {"api_keys": "--api-key"}


class ConfigProblem(click.ClickException):
    """A configuration error, shown as its message alone (no traceback), exit code 2."""

    exit_code = 2


def home_options(function: F) -> F:
    """`--home` and `--config`, for every command that reads the configuration."""
    function = click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False),
        help="Configuration file. [default: $DRAGOMAN_HOME/config.toml]",
    )(function)
    return click.option(
        "--home",
        type=click.Path(file_okay=False),
        help="dragoman's folder (database, config). Also DRAGOMAN_HOME. [default: ~/.dragoman]",
    )(function)


def json_option(function: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(function)


def load_settings(home: str | None, config_file: str | None, **overrides: Any) -> Settings:
    return loaded(config_origin(home, config_file, **overrides))


def config_origin(home: str | None, config_file: str | None, **overrides: Any) -> ConfigOrigin:
    """What settings are read from: the global options and the command's own flags."""
    flags = {key: FLAG_NAMES.get(key, "--" + key.replace("_", "-")) for key in overrides}
    return ConfigOrigin(home, config_file, overrides, flags)


def loaded(origin: ConfigOrigin) -> Settings:
    try:
        return origin.load()
    except ConfigError as error:
        raise ConfigProblem(str(error)) from None


def print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2, default=str).decode() + "\n")
