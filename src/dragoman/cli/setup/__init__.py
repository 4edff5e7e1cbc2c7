"""`dragoman setup CLIENT`: point a client at this dragoman by writing its own config.

One module per client (`claude_code`, `codex`, `gemini_cli`, `opencode` for OpenCode
and Kilo) says which files it writes and what goes in them; `files` does the writing,
backups and `--undo` for all of them, `target` finds the URL, key and model limits.
`dragoman doctor` reads the same modules back to check where each client points.
"""

from __future__ import annotations

import os

import click

from dragoman.cli.common import home_options, load_settings
from dragoman.cli.setup import claude_code, codex, gemini_cli, opencode
from dragoman.cli.setup.client import Client
from dragoman.cli.setup.files import FileChange, apply, backup_of, marker_of, undo
from dragoman.cli.setup.sdks import SNIPPETS
from dragoman.cli.setup.target import ANY_KEY, NEW_KEY, Target, key_for, target

CLIENTS: dict[str, Client] = {
    client.name: client
    for client in (claude_code.CLIENT, codex.CLIENT, gemini_cli.CLIENT, opencode.OPENCODE, opencode.KILO)
}


@click.command()
@click.argument("client_name", metavar="CLIENT", type=click.Choice([*CLIENTS, *SNIPPETS]))
@click.option("--model", help="The model the client uses (one `dragoman models` lists, or an alias).")
@click.option(
    "--key",
    "key_name",
    help="A key by name: the config's (key1, key2, ...) or a new named key for this client. [default: key1]",
)
@click.option("--key-value", help="The key itself, e.g. one `dragoman serve --api-key` was given.")
@click.option("--url", help="dragoman's root URL as the client reaches it. [default: from `bind`]")
@click.option("--print", "show", is_flag=True, help="Show what would be written; change nothing.")
@click.option("--undo", "undoing", is_flag=True, help="Put back the files as they were before setup.")
@home_options
def setup(
    client_name: str,
    model: str | None,
    key_name: str | None,
    key_value: str | None,
    url: str | None,
    show: bool,
    undoing: bool,
    home: str | None,
    config_file: str | None,
) -> None:
    """Point CLIENT at this dragoman: claude-code, codex, gemini-cli, opencode, kilo
    (their config files, backed up first), or python-sdk / js-sdk (a snippet)."""
    if undoing:
        _undo(client_name)
        return
    settings = load_settings(home, config_file)
    chosen = target(settings, url, key_for(settings, key_name, key_value, writes=not show), model)
    if client_name in SNIPPETS:
        click.echo(SNIPPETS[client_name](chosen), nl=False)
        return
    client = CLIENTS[client_name]
    changes = client.plan(chosen, os.environ)
    if show:
        _show(changes, chosen)
    else:
        _write(changes)
    click.echo("\nThen:\n" + client.usage(chosen))


def _undo(client_name: str) -> None:
    if client_name in SNIPPETS:
        raise click.UsageError(f"{client_name} has no files to undo: setup only prints a snippet for it")
    restored = undo(CLIENTS[client_name].paths(os.environ))
    for path in restored:
        click.echo(f"restored {path}")
    if not restored:
        click.echo(f"nothing to undo: setup has not changed {client_name}'s files")


def _show(changes: list[FileChange], chosen: Target) -> None:
    for change in changes:
        state = "would change" if change.changes_anything else "unchanged"
        click.echo(f"# {change.path} ({state})")
        click.echo(masked(change.text, chosen.key))


def _write(changes: list[FileChange]) -> None:
    written = apply(changes)
    for change in changes:
        if change.path not in written:
            click.echo(f"unchanged {change.path}")
        elif marker_of(change.path).exists():
            click.echo(f"wrote {change.path} (new: --undo removes it)")
        else:
            click.echo(f"wrote {change.path} (backup: {backup_of(change.path)})")


def masked(text: str, key: str) -> str:
    """`text` with the key replaced: --print output ends up in terminals and issues."""
    return text if key in (ANY_KEY, NEW_KEY) else text.replace(key, "<key>")
