"""The `dragoman` command: one click group, one module per command group."""

from __future__ import annotations

import importlib

import click

from dragoman import __version__
from dragoman.cli.common import ConfigProblem, json_option, print_json
from dragoman.config import ConfigError

# Each command's module is imported when that command runs (or help lists it): `serve`
# must not carry what `accounts`, `login` or `test` import (SQLAlchemy, httpx), ~30 MiB.
COMMANDS = {
    "accounts": ("dragoman.cli.accounts", "accounts"),
    "batches": ("dragoman.cli.batches", "batches"),
    "config": ("dragoman.cli.config", "config"),
    "daemon": ("dragoman.cli.daemon", "daemon"),
    "db": ("dragoman.cli.db", "db"),
    "doctor": ("dragoman.cli.doctor", "doctor"),
    "import": ("dragoman.cli.login", "import_"),
    "keys": ("dragoman.cli.keys", "keys"),
    "login": ("dragoman.cli.login", "login"),
    "logout": ("dragoman.cli.login", "logout"),
    "models": ("dragoman.cli.models", "models"),
    "refresh": ("dragoman.cli.status", "refresh"),
    "route": ("dragoman.cli.route", "route"),
    "serve": ("dragoman.cli.serve", "serve"),
    "setup": ("dragoman.cli.setup", "setup"),
    "status": ("dragoman.cli.status", "status"),
    "test": ("dragoman.cli.check", "test"),
    "traces": ("dragoman.cli.traces", "traces"),
    "usage": ("dragoman.cli.usage", "usage"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def invoke(self, ctx: click.Context) -> object:
        # A configuration or database problem found deep in any command (a database URL
        # whose driver is missing, say) ends it with one line and exit code 2.
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            raise ConfigProblem(str(error)) from None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            module, name = COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, "-V", "--version", prog_name="dragoman")
def cli() -> None:
    """dragoman: one local gateway between every AI tool and every model account.

    Run `dragoman serve`, then point Claude Code, Codex, Gemini CLI or any OpenAI,
    Anthropic or Google SDK at http://127.0.0.1:4800.
    """


@cli.command()
@json_option
def version(as_json: bool) -> None:
    """Print dragoman's version."""
    if as_json:
        print_json({"version": __version__})
    else:
        click.echo(f"dragoman {__version__}")


def main() -> None:
    cli(prog_name="dragoman")
