"""The check of the background service `dragoman daemon install` made, when there is one."""

from __future__ import annotations

from collections.abc import Mapping

import click

from dragoman.cli.daemon.managers import manager
from dragoman.cli.doctor.findings import Finding, fail, ok

RUNNING = {"active", "running"}  # systemd's is-active, launchd's print


def daemon(environ: Mapping[str, str]) -> list[Finding]:
    service = manager(None, environ)
    if not service.path.exists():
        return []
    area = f"daemon ({service.name})"
    try:
        state = service.state()
    except click.ClickException as error:
        return [fail(area, error.format_message(), "run `dragoman daemon status` on the service's machine")]
    if state in RUNNING:
        return [ok(area, f"{state}, from {service.path}")]
    fix = "dragoman daemon start (`dragoman daemon logs` says why it stopped)"
    return [fail(area, f"installed but {state}", fix)]
