"""`dragoman doctor`: everything that stands between a client and an answer, checked,
with a fix for each problem.

`local` checks the config, the folder's permissions and the ports; `service` the
background service `dragoman daemon` installed; `accounts` each
account (and with `--online` a refresh, a tiny request and the clock); `routing` the
models the routing rules, tiers and chains name; `clients` the clients `dragoman setup`
configured. Exit status 1 when anything failed.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import asdict

import click

from dragoman.cli.common import config_origin, home_options, json_option, print_json
from dragoman.cli.doctor import accounts, clients, local, routing, service
from dragoman.cli.doctor.findings import Finding, fail
from dragoman.cli.setup.target import root_url
from dragoman.config import ConfigError, Settings
from dragoman.routing.catalog import load_catalog

MARKS = {"ok": ("ok  ", "green"), "warn": ("warn", "yellow"), "fail": ("fail", "red")}


@click.command()
@click.option("--online", is_flag=True, help="Also refresh each login and send each upstream a tiny request.")
@home_options
@json_option
@click.pass_context
def doctor(
    ctx: click.Context, online: bool, home: str | None, config_file: str | None, as_json: bool
) -> None:
    """Check the config, permissions, ports, accounts and clients; print a fix for each problem."""
    origin = config_origin(home, config_file)
    settings, finding = local.config(origin)
    findings = [finding]
    if settings is not None:
        served, models = asyncio.run(_served(settings, online))
        findings += local.permissions(settings, origin.path())
        findings += local.ports(settings, models)
        findings += service.daemon(os.environ)
        findings += served
    if as_json:
        print_json({"ok": not _failed(findings), "findings": [asdict(item) for item in findings]})
    else:
        _print(findings)
    ctx.exit(1 if _failed(findings) else 0)


async def _served(settings: Settings, online: bool) -> tuple[list[Finding], set[str] | None]:
    """The accounts' and clients' findings, and the models this config serves (None: it
    cannot say), which a dragoman on its port must serve too to be this one."""
    try:
        catalog = await load_catalog(settings)
    except ConfigError as error:
        return [fail("accounts", str(error), "fix that [providers.NAME] table")], None
    logins = await accounts.logins(settings)
    found = [*accounts.served(catalog), *routing.routing(settings, catalog), *accounts.tokens(logins)]
    if online:
        found += await accounts.refreshed(settings, logins)
        found += await accounts.probes(settings, catalog)
    urls = {root_url(settings, None), *(bind.url for bind in settings.bind)}
    found += clients.clients(urls, catalog.registry(), os.environ)
    return found, set(catalog.registry().model_ids())


def _failed(findings: list[Finding]) -> bool:
    return any(item.failed for item in findings)


def _print(findings: list[Finding]) -> None:
    # Plain lines, never wrapped: paths and fixes are copied from here.
    for item in findings:
        mark, colour = MARKS[item.verdict]
        click.echo(f"{click.style(mark, fg=colour)} {item.area}: {item.detail}")
        if item.fix:
            click.echo(f"      fix: {item.fix}")
    failed = sum(item.failed for item in findings)
    click.echo(f"\n{failed} problem{'s' * (failed != 1)} found" if failed else "\nall good")
