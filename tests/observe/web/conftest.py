"""The dashboard in a real browser: Debian's `chromium`, driven by Playwright, one
browser for the module of browser tests (nothing downloads a browser: `executable_path`
is the system's). Not one for the whole session: Playwright's sync API keeps an event
loop running on the main thread while it is open, which the asyncio tests run after
these would trip over. Screenshots go to `.artifacts/ui/` (CI keeps them; git ignores them)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

ARTIFACTS = Path(__file__).parents[3] / ".artifacts" / "ui"


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise RuntimeError("the dashboard tests need Debian's chromium: apt-get install -y chromium")
    return found


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
