"""The dashboard's session cookie: signed for a key with the home's secret, verifiable
by any process sharing the home, and useless once expired, tampered with, or its key
or secret gone; the secret file is private and made once."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from starlette.requests import HTTPConnection

from dragoman.server import ui_session
from dragoman.server.ui_session import LIFETIME, UiSessions, home_secret, same_origin

KEY, OTHER = b"local-ui-key-1", b"local-ui-key-2"
NOW = 1_800_000_000.0


def test_a_cookie_issued_for_a_key_is_valid_in_another_process_of_the_same_home(tmp_path: Path) -> None:
    cookie = UiSessions(tmp_path, [KEY]).issue(KEY, now=NOW)
    assert UiSessions(tmp_path, [OTHER, KEY]).valid(cookie, now=NOW + 60)
    assert KEY.decode() not in cookie


@pytest.mark.parametrize(
    "spoil",
    [
        lambda cookie: cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"),
        lambda cookie: str(int(cookie.split(".")[0]) + 1) + cookie[cookie.index(".") :],
        lambda cookie: cookie.rpartition(".")[0],
        lambda cookie: "",
    ],
    ids=["mac", "issued", "no-mac", "empty"],
)
def test_a_tampered_cookie_is_refused(tmp_path: Path, spoil: object) -> None:
    sessions = UiSessions(tmp_path, [KEY])
    cookie = sessions.issue(KEY, now=NOW)
    assert sessions.valid(cookie, now=NOW)
    assert not sessions.valid(spoil(cookie), now=NOW)  # type: ignore[operator]


def test_a_cookie_ends_with_its_lifetime_its_key_or_the_secret(tmp_path: Path) -> None:
    cookie = UiSessions(tmp_path, [KEY]).issue(KEY, now=NOW)
    assert UiSessions(tmp_path, [KEY]).valid(cookie, now=NOW + LIFETIME)
    assert not UiSessions(tmp_path, [KEY]).valid(cookie, now=NOW + LIFETIME + 1)
    assert not UiSessions(tmp_path, [OTHER]).valid(cookie, now=NOW)
    assert not UiSessions(tmp_path, []).valid(cookie, now=NOW)
    (tmp_path / ui_session.SECRET_FILE).unlink()
    assert not UiSessions(tmp_path, [KEY]).valid(cookie, now=NOW)


def test_the_secret_is_private_made_once_and_the_csrf_token_belongs_to_one_cookie(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = home_secret(home)
    assert home_secret(home) == first and len(first) == 32
    assert stat.S_IMODE((home / ui_session.SECRET_FILE).stat().st_mode) == 0o600
    assert [path.name for path in home.iterdir()] == [ui_session.SECRET_FILE]
    sessions = UiSessions(home, [KEY])
    one, two = sessions.issue(KEY), sessions.issue(KEY)
    assert one != two and sessions.csrf(one) != sessions.csrf(two)
    assert sessions.csrf(one) == UiSessions(home, [KEY]).csrf(one)


def connection(headers: dict[str, str], scheme: str = "http") -> HTTPConnection:
    raw = [(name.encode(), value.encode()) for name, value in {"host": "127.0.0.1:4800", **headers}.items()]
    scope = {"type": "http", "scheme": scheme, "path": "/", "query_string": b"", "headers": raw}
    return HTTPConnection(scope)


@pytest.mark.parametrize(
    ("headers", "same"),
    [
        ({"origin": "http://127.0.0.1:4800"}, True),
        ({"origin": "http://127.0.0.1:4801"}, False),
        ({"origin": "https://127.0.0.1:4800"}, False),
        ({"origin": "null"}, False),
        ({"referer": "http://127.0.0.1:4800/ui/accounts"}, True),
        ({"referer": "http://127.0.0.1:4800.evil.example/ui"}, False),
        ({"origin": "http://evil.example", "referer": "http://127.0.0.1:4800/ui"}, False),
        ({}, False),
    ],
)
def test_only_this_origin_is_the_same_origin(headers: dict[str, str], same: bool) -> None:
    assert same_origin(connection(headers)) is same


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1:4800", True),
        ("127.8.9.10", True),
        ("[::1]:4800", True),
        ("localhost:4800", True),
        ("dragoman.localhost", True),
        ("192.168.1.20:4800", False),
        ("rebound.example:4800", False),
        ("localhost.example", False),
    ],
)
def test_a_loopback_host_is_a_loopback_name_or_address(host: str, loopback: bool) -> None:
    assert ui_session.loopback_host(connection({"host": host})) is loopback
