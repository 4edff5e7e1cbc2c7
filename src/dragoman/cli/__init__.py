"""The `dragoman` command: one click group, one module per command group."""

from __future__ import annotations

import click

from dragoman import __version__
from dragoman.cli.accounts import accounts
from dragoman.cli.check import test
from dragoman.cli.common import json_option, print_json
from dragoman.cli.config import config
from dragoman.cli.login import import_, login, logout
from dragoman.cli.models import models
from dragoman.cli.serve import serve
from dragoman.cli.status import refresh, status


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


cli.add_command(serve)
cli.add_command(config)
cli.add_command(models)
cli.add_command(accounts)
cli.add_command(test)
cli.add_command(login)
cli.add_command(logout)
cli.add_command(import_)
cli.add_command(status)
cli.add_command(refresh)


def main() -> None:
    cli(prog_name="dragoman")
