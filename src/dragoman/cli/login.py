"""`dragoman login`, `logout` and `import`: subscription accounts (OAuth logins).

Generic over every provider kind whose SPEC has `oauth`: a kind added later needs no
change here. `import` adopts the login an official CLI already stored, through the
kind's `credentials.py` (`read_official`), and only when asked; the file is read,
never written.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import webbrowser
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import click
import httpx
from rich.markup import escape

from dragoman.auth import first_setup, tokens
from dragoman.auth import login as flows
from dragoman.auth.callback import LoginError
from dragoman.auth.endpoints import oauth_for, subscription_kinds
from dragoman.auth.login import LoginIO, choose_flow, console_paste
from dragoman.auth.refresh import expired
from dragoman.auth.store import CredentialStore
from dragoman.cli.accounts import RESERVED_LABELS
from dragoman.cli.common import ConfigProblem, console, err_console, home_options, load_settings
from dragoman.config import Settings
from dragoman.providers import discover
from dragoman.providers.spec import ProviderSpec
from dragoman.providers.subscription import Flow, Ineligible, OAuthSpec
from dragoman.store import open_database
from dragoman.store.account_store import AccountStore
from dragoman.store.accounts import Account, AccountError
from dragoman.store.db import open_existing, prepare_home
from dragoman.store.keyring import Keyring

PASTE_PROMPT = "Paste here: "


@asynccontextmanager
async def credential_store(settings: Settings, *, create: bool) -> AsyncIterator[CredentialStore | None]:
    """The credential store, or None when there is no database and `create` is off."""
    if create:
        prepare_home(settings.home)
        database = await open_database(
            settings.effective_database_url, Keyring(settings.home), options=settings.database
        )
    else:
        found = await open_existing(
            settings.effective_database_url, Keyring(settings.home), options=settings.database
        )
        if found is None:
            yield None
            return
        database = found
    try:
        yield CredentialStore(database.engine, database.keys)
    finally:
        await database.close()


@click.command()
@click.option(
    "--provider",
    "kind",
    metavar="KIND",
    help="codex, claude, gemini_cli, grok, copilot, kiro, cursor. [default: asks]",
)
@click.option("--no-browser", is_flag=True, help="Print the login page instead of opening it.")
@click.option("--device/--browser", default=None, help="Log in with a device code, or in the browser.")
@click.option("--label", help="Its name: clients write LABEL/model. [default: KIND-<email name>]")
@home_options
def login(
    kind: str | None,
    no_browser: bool,
    device: bool | None,
    label: str | None,
    home: str | None,
    config_file: str | None,
) -> None:
    """Log in to a subscription (ChatGPT/Codex, Claude Pro/Max, Gemini CLI, Grok).

    Logging in again to the same account renews it; another account of the same
    provider is added beside it.
    """
    settings = load_settings(home, config_file)
    spec = chosen_kind(kind)
    oauth = oauth_for(spec, settings)
    try:
        flow = choose_flow(oauth, device)
    except LoginError as error:
        raise click.UsageError(str(error)) from None
    io = LoginIO(
        show=_say,
        open_browser=None if no_browser else webbrowser.open,
        read_paste=None if flow == "device" else console_paste(PASTE_PROMPT),
    )
    stored, new = asyncio.run(_login(settings, spec, io, flow, no_browser, label))
    _report(stored, new, "Logged in to")


@click.command()
@click.argument("kind", metavar="PROVIDER")
@click.option("--account", "key", metavar="ID_OR_LABEL", help="Only this account. [default: all of PROVIDER]")
@home_options
def logout(kind: str, key: str | None, home: str | None, config_file: str | None) -> None:
    """Log out: revoke the tokens where the provider offers it, and forget the account."""
    settings = load_settings(home, config_file)
    spec = chosen_kind(kind)
    for line in asyncio.run(_logout(settings, spec, key)):
        console.print(line, markup=False)


@click.command("import")
@click.argument("kind", metavar="PROVIDER")
@click.option("--from", "source", type=click.Path(dir_okay=False), help="The official CLI's credential file.")
@click.option("--label", help="Its name: clients write LABEL/model. [default: KIND-<email name>]")
@home_options
def import_(
    kind: str, source: str | None, label: str | None, home: str | None, config_file: str | None
) -> None:
    """Adopt the login an official CLI stored (~/.codex/auth.json, ~/.claude/.credentials.json,
    ~/.gemini/oauth_creds.json, ~/.grok/auth.json, Kiro's CLI store or IDE token file). The file is
    only read."""
    settings = load_settings(home, config_file)
    spec = chosen_kind(kind)
    reader = _reader(spec.kind)
    path = (Path(source).expanduser() if source else _default_path(reader)).absolute()
    try:
        draft = reader.read_official(path)
    except ValueError as error:  # each reader's CredentialsError
        raise click.ClickException(str(error)) from None
    draft = replace(draft, label=label or "", extra={**draft.extra, "imported_from": str(path)})
    stored, new = asyncio.run(_adopt(settings, spec, draft))
    _report(stored, new, "Imported")
    err_console.print(
        f"dragoman read {escape(str(path))} and will never write to it. If the login's refresh token "
        "rotates, whichever program refreshes first spends the other's copy: the official CLI may then "
        "ask you to log in again."
    )


def chosen_kind(kind: str | None) -> ProviderSpec:
    """The subscription kind named, or the one picked from a menu when none is."""
    kinds = subscription_kinds()
    if not kinds:
        raise click.ClickException("no subscription provider is available in this dragoman")
    if kind is None:
        names = list(kinds)
        for number, name in enumerate(names, 1):
            err_console.print(f"  {number}. {name}")
        picked = click.prompt("Log in to", type=click.IntRange(1, len(names)), err=True)
        return kinds[names[picked - 1]]
    return named_kind(kind)


def named_kind(kind: str) -> ProviderSpec:
    """The subscription kind `kind`; else an error (exit 1) saying whether the provider
    does not exist or has no subscription login, and naming those that do."""
    kinds = subscription_kinds()
    if kind in kinds:
        return kinds[kind]
    known = f"(subscription logins: {', '.join(kinds) or 'none'})"
    if kind in discover():
        raise click.ClickException(f"{kind!r} has no subscription login {known}")
    raise click.ClickException(f"there is no provider {kind!r} {known}")


async def _login(
    settings: Settings, spec: ProviderSpec, io: LoginIO, flow: Flow, no_browser: bool, label: str | None
) -> tuple[Account, bool]:
    async with credential_store(settings, create=True) as store:
        assert store is not None
        _notice_once(spec, await store.logins(spec.kind))
        async with tokens.new_client(settings.proxy) as client:
            try:
                oauth = oauth_for(spec, settings)
                draft = await flows.login(spec, oauth, client, io, flow=flow, no_browser=no_browser)
                draft, warning = await first_setup.set_up(spec, settings, client, draft)
            except (LoginError, Ineligible) as error:
                raise click.ClickException(f"login failed: {error}") from None
        if warning is not None:
            err_console.print(warning, markup=False)
        return await _save(store, settings, replace(draft, label=label or ""))


async def _adopt(settings: Settings, spec: ProviderSpec, draft: Account) -> tuple[Account, bool]:
    async with credential_store(settings, create=True) as store:
        assert store is not None
        _notice_once(spec, await store.logins(spec.kind))
        draft, warning = await _set_up_imported(
            spec, settings, replace(draft, provider=spec.kind, auth="oauth")
        )
        if warning is not None:
            err_console.print(warning, markup=False)
        return await _save(store, settings, draft)


async def _set_up_imported(
    spec: ProviderSpec, settings: Settings, draft: Account
) -> tuple[Account, str | None]:
    """The imported login's setup, as at `dragoman login`: an account the backend will
    never serve (Code Assist's personal accounts) is refused with its reason. Its token
    is not refreshed for that (a rotating refresh token would be spent from under the
    official CLI): an expired one is set up at the account's first request."""
    if expired(draft):
        return draft, None
    async with tokens.new_client(settings.proxy) as client:
        try:
            return await first_setup.set_up(spec, settings, client, draft)
        except Ineligible as error:
            raise click.ClickException(f"import refused: {error}") from None


async def _save(store: CredentialStore, settings: Settings, draft: Account) -> tuple[Account, bool]:
    try:
        return await store.save_login(draft, reserved={*settings.providers, *RESERVED_LABELS})
    except AccountError as error:
        raise ConfigProblem(str(error)) from None


async def _logout(settings: Settings, spec: ProviderSpec, key: str | None) -> list[str]:
    async with credential_store(settings, create=False) as store:
        logins = await store.logins(spec.kind) if store is not None else []
        if key is not None:
            logins = [login for login in logins if key in (login.label, str(login.id))]
        if not logins:
            raise click.ClickException(f"no {spec.kind} login{f' {key!r}' if key else ''} is stored")
        assert store is not None
        oauth = oauth_for(spec, settings)
        lines = []
        async with tokens.new_client(settings.proxy) as client:
            for account in logins:
                revoked = await _revoke(client, oauth, account)
                await AccountStore(store.engine, store.keys).remove(account.id)
                lines.append(f"Logged out {account.label} ({_who(account)}): {revoked}")
        return lines


async def _revoke(client: httpx.AsyncClient, oauth: OAuthSpec, account: Account) -> str:
    if not oauth.revoke_url:
        return "the provider offers no revocation; the token stays valid until it expires"
    done = [
        await tokens.revoke(client, oauth, token, hint)
        for token, hint in ((account.refresh_token, "refresh_token"), (account.access_token, "access_token"))
        if token
    ]
    return "tokens revoked" if done and all(done) else "revocation failed (the account is forgotten anyway)"


def _notice_once(spec: ProviderSpec, existing: list[Account]) -> None:
    """The provider's risk notice, at its first login only."""
    if spec.oauth is not None and spec.oauth.risk_notice and not existing:
        err_console.print(f"[yellow]note:[/] {spec.oauth.risk_notice}", highlight=False)


def _reader(kind: str) -> ModuleType:
    try:
        module = importlib.import_module(f"dragoman.providers.{kind}.credentials")
    except ModuleNotFoundError:
        raise click.ClickException(
            f"dragoman cannot import {kind} logins (log in with `dragoman login`)"
        ) from None
    if not hasattr(module, "read_official"):
        raise click.ClickException(f"dragoman cannot import {kind} logins (log in with `dragoman login`)")
    return module


def _default_path(reader: ModuleType) -> Path:
    if hasattr(reader, "default_path"):
        return Path(reader.default_path(os.environ))
    return Path(str(reader.DEFAULT_PATH)).expanduser()


def _report(account: Account, new: bool, verb: str) -> None:
    what = "added" if new else "renewed"
    # The email and plan are the provider's words: shown as they are, never as markup.
    who = f" as {escape(_who(account))}" if account.email or account.account_id else ""
    plan = f", plan {escape(account.plan)}" if account.plan else ""
    console.print(
        f"{verb} {account.provider}{who}{plan}: "
        f"account {account.id} [bold]{account.label}[/] {what}. Clients choose it with "
        f"{account.label}/MODEL; a running dragoman serves it within seconds."
    )


def _who(account: Account) -> str:
    return account.email or account.account_id or "an account with no email"


def _say(text: str) -> None:
    err_console.print(text, markup=False, highlight=False, soft_wrap=True)
