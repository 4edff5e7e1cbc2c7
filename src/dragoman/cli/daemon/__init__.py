"""`dragoman daemon install|start|stop|restart|status|logs|uninstall`: dragoman as a
background service of the user, a systemd user unit on Linux or a LaunchAgent on
macOS (`units` writes them, `managers` drives systemctl / launchctl).

The service runs `dragoman serve` with the options given to `install`, and the home
and config file pinned as absolute paths. Keys are never written into the unit: they
stay in config.toml (0600), so a service listening beyond loopback needs them there.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import click
import httpx

from dragoman.cli.common import config_origin, home_options, json_option, loaded, print_json
from dragoman.cli.daemon.managers import Manager, manager
from dragoman.cli.setup.target import root_url
from dragoman.config import ConfigError, Settings
from dragoman.config.load import config_path, home_dir
from dragoman.config.origin import ConfigOrigin

manager_option = click.option(
    "--manager",
    "manager_name",
    type=click.Choice(["systemd", "launchd"]),
    help="The service manager. [default: launchd on macOS, systemd elsewhere]",
)


@click.group()
def daemon() -> None:
    """Run dragoman in the background: a systemd user unit, or a LaunchAgent on macOS."""


@daemon.command()
@click.option("--bind", help="Comma-separated HOST:PORT list to listen on. [default: from the config]")
@click.option("--workers", type=click.IntRange(min=1), help="Processes serving the same addresses.")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]))
@home_options
@manager_option
def install(
    bind: str | None,
    workers: int | None,
    log_level: str | None,
    home: str | None,
    config_file: str | None,
    manager_name: str | None,
) -> None:
    """Install the service running `dragoman serve` with these options, and start it."""
    home_path, config_path = pinned(home, config_file)
    settings = _check_service_settings(
        config_origin(str(home_path), str(config_path), bind=bind, workers=workers)
    )
    _warn_if_open(config_path, settings)
    command = serve_command(home_path, config_path, bind, workers, log_level)
    service = manager(manager_name)
    service.path.parent.mkdir(parents=True, exist_ok=True)
    service.path.write_text(service.definition(command, home_path))
    service.installed()
    click.echo(f"installed {service.path} ({service.name}) and started: {' '.join(command[1:])}")


def pinned(home: str | None, config_file: str | None) -> tuple[Path, Path]:
    """The home and config file as this command finds them (DRAGOMAN_HOME too), absolute:
    the service is given both, whatever its own environment."""
    home_path = home_dir(home, os.environ).expanduser().resolve()
    return home_path, config_path(config_file, home_path, os.environ).expanduser().resolve()


def _check_service_settings(origin: ConfigOrigin) -> Settings:
    """The service's settings load, and hold a key if they listen beyond loopback. Its
    environment has no DRAGOMAN_* variable: a key given only there would be missing."""
    own = {name: value for name, value in os.environ.items() if not name.startswith("DRAGOMAN_")}
    try:
        settings = origin.load(own)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    exposed = [str(item) for item in settings.bind if not item.is_loopback]
    if exposed and not settings.api_keys:
        raise click.UsageError(
            f"the service would listen on {', '.join(exposed)} without an API key, and keys are never "
            f'written into it: put api_keys = ["SECRET"] in {origin.config} (chmod 600), or bind to loopback.'
        )
    return settings


def _warn_if_open(config: Path, settings: Settings) -> None:
    """The keys the service reads stay in the config file: others must not read it."""
    holds_keys = settings.api_keys or any(provider.api_key for provider in settings.providers.values())
    mode = stat.S_IMODE(config.stat().st_mode) if config.exists() else 0
    if holds_keys and mode & 0o077:
        click.echo(f"warning: {config} holds keys and is {mode:04o}: run `chmod 600 {config}`", err=True)


def serve_command(
    home: Path, config: Path, bind: str | None, workers: int | None, log_level: str | None
) -> list[str]:
    command = [sys.executable, "-m", "dragoman", "serve", "--home", str(home), "--config", str(config)]
    options = {"--bind": bind, "--workers": workers, "--log-level": log_level}
    return command + [word for flag, value in options.items() if value for word in (flag, str(value))]


def installed(manager_name: str | None) -> Manager:
    service = manager(manager_name)
    if not service.path.exists():
        raise click.ClickException(
            f"not installed ({service.path} does not exist): run `dragoman daemon install`"
        )
    return service


@daemon.command()
@manager_option
def start(manager_name: str | None) -> None:
    """Start the installed service."""
    installed(manager_name).start()
    click.echo("started")


@daemon.command()
@manager_option
def stop(manager_name: str | None) -> None:
    """Stop the service (requests in flight finish first)."""
    installed(manager_name).stop()
    click.echo("stopped")


@daemon.command()
@manager_option
def restart(manager_name: str | None) -> None:
    """Restart the service."""
    installed(manager_name).restart()
    click.echo("restarted")


@daemon.command()
@manager_option
@json_option
@click.pass_context
def status(ctx: click.Context, manager_name: str | None, as_json: bool) -> None:
    """The service's state and whether the gateway answers; exit 1 unless it does."""
    service = installed(manager_name)
    state, url = service.state(), gateway_url(service.command())
    health = _health(url)
    if as_json:
        print_json({"manager": service.name, "state": state, "url": url, "health": health})
    else:
        click.echo(f"{service.name} service: {state}")
        click.echo(
            f"gateway at {url}: " + (f"healthy, {health['models']} models" if health else "not answering")
        )
    ctx.exit(0 if health else 1)


def gateway_url(command: list[str]) -> str:
    """Where the service's `dragoman serve` answers, from its own command line."""
    options = dict(zip(command[4::2], command[5::2], strict=False))
    origin = config_origin(options.get("--home"), options.get("--config"), bind=options.get("--bind"))
    return root_url(loaded(origin), None)


def _health(url: str) -> dict[str, object] | None:
    try:
        answer = httpx.get(url + "/healthz", timeout=2.0)
        body = answer.json()
    except (httpx.HTTPError, ValueError):
        return None
    return body if isinstance(body, dict) and body.get("status") == "ok" else None


@daemon.command()
@click.option("-n", "--lines", default=100, show_default=True, help="Lines of the past to show.")
@click.option("--follow/--no-follow", default=True, help="Keep printing new lines. [default: follow]")
@manager_option
def logs(lines: int, follow: bool, manager_name: str | None) -> None:
    """The service's log: journald's for the unit, or the LaunchAgent's log file."""
    argv = installed(manager_name).logs(lines, follow)
    try:
        sys.exit(subprocess.run(argv, check=False).returncode)
    except FileNotFoundError:
        raise click.ClickException(f"`{argv[0]}` is not on PATH") from None


@daemon.command()
@manager_option
def uninstall(manager_name: str | None) -> None:
    """Stop the service and remove it (the config and data stay)."""
    service = installed(manager_name)
    service.removing()
    service.path.unlink()
    service.removed()
    click.echo(f"removed {service.path}")
