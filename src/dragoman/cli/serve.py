"""`dragoman serve`: run the gateway."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Iterator

import click
import uvicorn
from rich.console import Group
from rich.text import Text

from dragoman.cli.common import ConfigProblem, err_console, home_options, load_settings
from dragoman.config import ConfigError, Settings
from dragoman.config.binds import Bind
from dragoman.observe.log import configure
from dragoman.routing.registry import Registry

DIALECT_ROUTES = {
    "OpenAI Chat": "POST /v1/chat/completions",
    "OpenAI Responses": "POST /v1/responses",
    "Anthropic": "POST /v1/messages",
    "Gemini": "POST /v1beta/models/{model}:generateContent, :streamGenerateContent",
    "Models": "GET /v1/models, GET /v1beta/models",
}


@click.command()
@click.option("--bind", help="Comma-separated HOST:PORT list to listen on. [default: 127.0.0.1:4800]")
@click.option(
    "--api-key",
    "api_keys",
    multiple=True,
    help="A key clients must send (repeatable). Also DRAGOMAN_API_KEY (comma-separated).",
)
@home_options
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), help="[default: info]")
@click.option("--log-format", type=click.Choice(["text", "json"]), help="[default: text]")
def serve(
    bind: str | None,
    api_keys: tuple[str, ...],
    home: str | None,
    config_file: str | None,
    log_level: str | None,
    log_format: str | None,
) -> None:
    """Run the gateway until interrupted (Ctrl-C or SIGTERM finish in-flight requests)."""
    settings = load_settings(
        home,
        config_file,
        bind=bind,
        api_keys=list(api_keys) or None,
        log_level=log_level,
        log_format=log_format,
    )
    refuse_open_binds(settings)
    from dragoman.server.app import create_app, load_gateway  # the server's imports only when serving

    configure(settings.log_level, settings.log_format)
    try:
        # Accounts and a local Ollama are read now, so the banner lists their models.
        gateway = asyncio.run(load_gateway(settings))
    except ConfigError as error:
        raise ConfigProblem(str(error)) from None
    sockets = [_listen(item) for item in settings.bind]
    err_console.print(banner(settings, gateway.registry), soft_wrap=True)
    server = _Server(
        uvicorn.Config(
            create_app(gateway),
            log_config=None,
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
            lifespan="on",
        )
    )
    server.run(sockets=sockets)


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGINT/SIGTERM once it has shut down, which makes a clean stop
    look like a crash (exit -15, or click's "Aborted!"). A stop is how serve ends, so
    the signals only start the graceful shutdown here, and the command exits 0."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        for stop in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop, self.handle_exit)
        yield


def refuse_open_binds(settings: Settings) -> None:
    """Listening beyond loopback without a key would hand anyone on the network your accounts."""
    exposed = [str(item) for item in settings.bind if not item.is_loopback]
    if exposed and not settings.api_keys:
        raise click.UsageError(
            f"refusing to listen on {', '.join(exposed)} without an API key: anyone who can reach it "
            "could use your accounts. Add one with `--api-key SECRET` (or DRAGOMAN_API_KEY=SECRET, or "
            'api_keys = ["SECRET"] in config.toml), or bind to 127.0.0.1.'
        )


def banner(settings: Settings, registry: Registry) -> Group:
    lines = [
        Text.from_markup(f"[bold green]dragoman[/] listening on {', '.join(b.url for b in settings.bind)}")
    ]
    lines += [Text.from_markup(f"  [cyan]{name:<17}[/]{route}") for name, route in DIALECT_ROUTES.items()]
    served = registry.model_ids()
    if served:
        lines.append(Text.from_markup(f"  [bold]{len(served)} models[/]: {', '.join(served)}"))
    else:
        lines.append(
            Text.from_markup(
                "  [yellow]No models yet.[/] Add a \\[providers.NAME] table to "
                f"{settings.home / 'config.toml'} (then restart), or run "
                "`dragoman accounts add --provider KIND`."
            )
        )
    auth = "clients must send an API key" if settings.api_keys else "no API key required (loopback only)"
    lines.append(Text(f"  {auth}; home {settings.home}"))
    return Group(*lines)


def _listen(bind: Bind) -> socket.socket:
    family = socket.AF_INET6 if ":" in bind.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((bind.host, bind.port))
    except OSError as error:
        sock.close()
        raise click.ClickException(f"cannot listen on {bind}: {error.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock
