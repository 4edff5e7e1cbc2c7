"""`dragoman serve`: run the gateway."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click
from rich.console import Group
from rich.text import Text

from dragoman.cli.common import ConfigProblem, config_origin, err_console, home_options, loaded
from dragoman.config import ConfigError, Settings
from dragoman.config.binds import Bind
from dragoman.config.origin import ConfigOrigin
from dragoman.observe.log import configure
from dragoman.observe.log import log_file as log_file_of
from dragoman.providers.upstream import Skipped, skipped_providers
from dragoman.routing.registry import Registry

if TYPE_CHECKING:
    from dragoman.server.gateway import Gateway

log = logging.getLogger("dragoman.serve")

DIALECT_ROUTES = {
    "OpenAI Chat": "POST /v1/chat/completions",
    "OpenAI Responses": "POST /v1/responses",
    "Anthropic": "POST /v1/messages",
    "Gemini": "POST /v1beta/models/{model}:generateContent, :streamGenerateContent",
    "Models": "GET /v1/models, GET /v1beta/models",
}


@click.command()
@click.option(
    "--bind",
    help="Comma-separated HOST:PORT list to listen on; NETWORK/PREFIX:PORT listens on this machine's "
    "addresses in that network. [default: 127.0.0.1:4800]",
)
@click.option(
    "--api-key",
    "api_keys",
    multiple=True,
    help="A key clients must send (repeatable). Also DRAGOMAN_API_KEY (comma-separated).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes serving the same addresses, to use more cores. Also DRAGOMAN_WORKERS. [default: 1]",
)
@home_options
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), help="[default: info]")
@click.option("--log-format", type=click.Choice(["text", "json"]), help="[default: text]")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False),
    help="Write logs to this file, rolled over by size (log_max_bytes, log_backups), not stderr.",
)
def serve(
    bind: str | None,
    api_keys: tuple[str, ...],
    workers: int | None,
    home: str | None,
    config_file: str | None,
    log_level: str | None,
    log_format: str | None,
    log_file: str | None,
) -> None:
    """Run the gateway until interrupted (Ctrl-C or SIGTERM finish in-flight requests)."""
    origin = config_origin(
        home,
        config_file,
        bind=bind,
        api_keys=list(api_keys) or None,
        workers=workers,
        log_level=log_level,
        log_format=log_format,
        log_file=log_file,
    )
    settings = loaded(origin)
    refuse_open_binds(settings)
    configure(settings.log_level, settings.log_format, file=log_file_of(settings))
    try:
        # Accounts and a local Ollama are read now, so the banner lists their models.
        gateway = asyncio.run(_loaded(settings))
    except ConfigError as error:
        raise ConfigProblem(str(error)) from None
    # config.toml is read again when it changes while serving (server.config_watch).
    gateway.origin = origin
    if settings.workers == 1:
        _serve_here(settings, gateway)
    else:
        _supervise(settings, origin, gateway.registry)


async def _loaded(settings: Settings) -> Gateway:
    from dragoman.server.app import load_gateway  # the server's imports only when serving
    from dragoman.store.files import refuse_newer_file

    refuse_newer_file(settings.effective_database_url)  # opened or not, it must not be written
    if settings.workers > 1:
        from dragoman.store.db import Database, open_database, open_existing, prepare_home
        from dragoman.store.keyring import Keyring

        # An existing database is migrated here, once: after an upgrade, workers opening
        # it all at once would race to migrate it. Traces kept there need it from the
        # first request, so it is created here too.
        url = settings.effective_database_url
        database: Database | None
        if settings.traces.enabled and settings.traces.database:
            prepare_home(settings.home)
            database = await open_database(url, Keyring(settings.home), options=settings.database)
        else:
            database = await open_existing(url, Keyring(settings.home), options=settings.database)
        if database is not None:
            await database.close()
    if settings.redis_url:
        from dragoman.state.redis import check_reachable

        await check_reachable(settings.redis_url)  # else every worker fails at its start
    return await load_gateway(settings)


def _serve_here(settings: Settings, gateway: Gateway) -> None:
    from dragoman.server.app import create_app
    from dragoman.server.serving import GracefulServer, uvicorn_config

    sockets = [_listen(item) for item in settings.bind]
    err_console.print(banner(settings, gateway.registry, skipped_providers(settings)), soft_wrap=True)
    GracefulServer(uvicorn_config(create_app(gateway), settings)).run(sockets=sockets)


def _supervise(settings: Settings, origin: ConfigOrigin, registry: Registry) -> None:
    from dragoman.server.supervisor import Supervisor

    per_bind = [_listen_each(item, settings.workers) for item in settings.bind]
    _warn_beyond_cores(settings.workers)
    err_console.print(banner(settings, registry, skipped_providers(settings)), soft_wrap=True)
    # Worker i serves the i-th socket of every address.
    if not Supervisor(settings, [list(own) for own in zip(*per_bind, strict=True)], origin).run():
        raise click.ClickException("a worker could not start (its error is above)")


def _warn_beyond_cores(workers: int) -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if workers > cores:
        log.warning(
            "%d workers on %d cores: the workers beyond one per core add memory, not throughput",
            workers,
            cores,
        )


def refuse_open_binds(settings: Settings) -> None:
    """Listening beyond loopback without a key would hand anyone on the network your accounts."""
    exposed = [str(item) for item in settings.bind if not item.is_loopback]
    if exposed and not settings.api_keys:
        raise click.UsageError(
            f"refusing to listen on {', '.join(exposed)} without an API key: anyone who can reach it "
            "could use your accounts. Add one with `--api-key SECRET` (or DRAGOMAN_API_KEY=SECRET, or "
            'api_keys = ["SECRET"] in config.toml), or bind to 127.0.0.1.'
        )


def banner(settings: Settings, registry: Registry, skipped: Sequence[Skipped] = ()) -> Group:
    """What `serve` prints at start. Built from Text parts: addresses, model ids and
    paths are shown as they are, never read as rich markup (`[fe80::1]`, `[x]`)."""
    processes = f" ({settings.workers} workers)" if settings.workers > 1 else ""
    urls = ", ".join(b.url for b in settings.bind)
    lines = [Text.assemble(("dragoman", "bold green"), f" listening on {urls}{processes}")]
    lines += [Text.assemble("  ", (f"{name:<17}", "cyan"), route) for name, route in DIALECT_ROUTES.items()]
    served = registry.model_ids()
    if served:
        lines.append(Text.assemble("  ", (f"{len(served)} models", "bold"), f": {', '.join(served)}"))
    else:
        lines.append(
            Text.assemble(
                "  ",
                ("No models yet.", "yellow"),
                f" Add a [providers.NAME] table to {settings.home / 'config.toml'}, "
                "or run `dragoman accounts add --provider KIND`.",
            )
        )
    # A provider without its key is left out, the others served: say which, and why.
    lines += [Text.assemble("  ", ("not served: ", "yellow"), item.reason) for item in skipped]
    auth = "clients must send an API key" if settings.api_keys else "no API key required (loopback only)"
    lines.append(Text(f"  {auth}; home {settings.home}"))
    return Group(*lines)


def _listen(bind: Bind, *, reuse_port: bool = False) -> socket.socket:
    sock = _bound(bind, reuse_port=reuse_port)
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _listen_each(bind: Bind, count: int) -> list[socket.socket]:
    """`count` listening sockets on one address, one per worker: the kernel spreads new
    connections over them (SO_REUSEPORT). A plain socket bound first keeps a port in use
    an error even when its holder set SO_REUSEPORT too (another `serve --workers`)."""
    _bound(bind).close()
    return [_listen(bind, reuse_port=True) for _ in range(count)]


def _bound(bind: Bind, *, reuse_port: bool = False) -> socket.socket:
    family = socket.AF_INET6 if ":" in bind.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((bind.host, bind.port))
    except OSError as error:
        sock.close()
        raise click.ClickException(f"cannot listen on {bind}: {error.strerror}") from None
    return sock
