"""The checks of the clients `dragoman setup` configures: each one set up points at
this dragoman and asks for a model it serves."""

from __future__ import annotations

from collections.abc import Mapping

import click

from dragoman.cli.doctor.findings import Finding, fail, ok
from dragoman.cli.setup import CLIENTS
from dragoman.cli.setup.client import Client
from dragoman.cli.setup.files import backup_of, marker_of
from dragoman.ir.errors import ModelNotFound
from dragoman.routing.registry import Registry


def clients(urls: set[str], registry: Registry, environ: Mapping[str, str]) -> list[Finding]:
    """`urls`: where this dragoman can be reached. Clients never set up are left out."""
    return [
        client_finding(client, urls, registry, environ)
        for client in CLIENTS.values()
        if _set_up(client, environ)
    ]


def _set_up(client: Client, environ: Mapping[str, str]) -> bool:
    return any(backup_of(path).exists() or marker_of(path).exists() for path in client.paths(environ))


def client_finding(client: Client, urls: set[str], registry: Registry, environ: Mapping[str, str]) -> Finding:
    area, again = f"client {client.name}", f"dragoman setup {client.name} --model MODEL"
    try:
        pointing = client.pointing(environ)
    except click.ClickException as error:
        return fail(area, error.format_message(), f"fix the file, then {again}")
    if pointing.url is None or pointing.url.rstrip("/") not in urls:
        where = pointing.url or "somewhere else"
        return fail(area, f"points at {where}, not at this dragoman ({', '.join(sorted(urls))})", again)
    if pointing.model is not None and not _served(registry, pointing.model):
        return fail(area, f"asks for {pointing.model}, which this dragoman does not serve", again)
    return ok(area, f"points here, model {pointing.model or '(its default)'}")


def _served(registry: Registry, model: str) -> bool:
    try:
        registry.resolve(model)
    except ModelNotFound:
        return False
    return True
