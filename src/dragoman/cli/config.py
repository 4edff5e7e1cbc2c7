"""`dragoman config`: show the effective configuration, or where it lives."""

from __future__ import annotations

from typing import Any

import click
from pydantic import SecretStr

from dragoman.cli.common import console, home_options, json_option, load_settings, print_json
from dragoman.config import config_path, home_dir
from dragoman.observe.redact import mask


@click.group()
def config() -> None:
    """Inspect dragoman's configuration."""


@config.command()
@home_options
@json_option
def show(home: str | None, config_file: str | None, as_json: bool) -> None:
    """Print the effective configuration (file, environment, defaults), secrets masked."""
    settings = load_settings(home, config_file)
    data = _masked(settings.model_dump())
    data["bind"] = [str(bind) for bind in settings.bind]
    data["config_file"] = str(config_path(config_file, home_dir(home)))
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        console.print(f"[bold]{key}[/] = {value!r}")


@config.command()
@home_options
def path(home: str | None, config_file: str | None) -> None:
    """Print the path of the configuration file dragoman reads."""
    click.echo(str(config_path(config_file, home_dir(home))))


def _masked(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return mask(value.get_secret_value())
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    if hasattr(value, "__fspath__"):
        return str(value)
    return value
