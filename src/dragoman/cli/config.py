"""`dragoman config`: show the effective configuration, or where it lives."""

from __future__ import annotations

from typing import Any

import click

from dragoman.cli.common import home_options, json_option, load_settings, print_json
from dragoman.config import Settings, config_path, home_dir
from dragoman.config.toml_text import string_text, to_toml


@click.group()
def config() -> None:
    """Inspect dragoman's configuration."""


@config.command()
@home_options
@json_option
def show(home: str | None, config_file: str | None, as_json: bool) -> None:
    """Print the effective configuration (file, environment, defaults) as TOML, secrets masked."""
    settings = load_settings(home, config_file)
    data = shown(settings)
    path = config_path(config_file, home_dir(home))
    if as_json:
        print_json({**data, "home": str(settings.home), "config_file": str(path)})
        return
    # Plain text, not rich: `[providers.NAME]` headers would be read as markup.
    click.echo(
        f"# The effective configuration: {string_text(str(path))}, DRAGOMAN_* variables, defaults.\n"
        f"# Secrets are masked. Home: {string_text(str(settings.home))} (--home or DRAGOMAN_HOME).\n\n"
        + to_toml(data),
        nl=False,
    )


@config.command()
@home_options
def path(home: str | None, config_file: str | None) -> None:
    """Print the path of the configuration file dragoman reads."""
    click.echo(str(config_path(config_file, home_dir(home))))


def shown(settings: Settings) -> dict[str, Any]:
    """The settings as a config file would hold them, every secret masked (the schema
    marks which fields hold secrets). `home` is left out: the file cannot move it."""
    data: dict[str, Any] = settings.model_dump(mode="json", context={"masked": True}, exclude={"home"})
    data["bind"] = [str(bind) for bind in settings.bind]
    return data
