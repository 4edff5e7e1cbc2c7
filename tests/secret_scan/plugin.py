"""The pytest side of the leak scan: install the recorders for the session, scan after
every test, and fail the run at the end when any secret was seen.

Enabled by `pytest_plugins` in tests/conftest.py.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator

import pytest

from tests.secret_scan import commands, configured, http, logs, registry
from tests.secret_scan.harvest import harvest_environ
from tests.secret_scan.record import RECORDER, SESSION
from tests.secret_scan.scan import Leak, Scanner

# Test id -> why this test may show a secret (a test that shows a key to its owner on
# purpose). Empty today: nothing in dragoman prints a whole secret.
ALLOWED: dict[str, str] = {}

ADVICE = (
    "Each entry names the test, where the secret was seen and which secret (never its value).\n"
    "Fix the code that let it out: mask it (dragoman.observe.redact) where it is printed, logged\n"
    "or answered. If the test shows a secret to its owner on purpose, add its id to ALLOWED in\n"
    "tests/secret_scan/plugin.py with why."
)
# Where dragoman shows a secret on purpose, once, to whoever made it: a named local key's
# secret as it is created or rotated (the admin API's answer, `dragoman keys create|rotate`).
SHOWN_ONCE = re.compile(
    r"http POST /v1/admin/keys(/[^/ ]+/rotate)? 20[01]( \(served by another process\))?"
    r"|cli dragoman keys (create|rotate) .*"
)
_MODULES = (logs, http, commands, configured)
_scanner = Scanner()
_leaks: list[Leak] = []


def pytest_configure(config: pytest.Config) -> None:
    for module in _MODULES:
        module.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    for module in reversed(_MODULES):
        module.uninstall()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    scan_recorded()  # what came between tests, under its own name
    RECORDER.test = item.nodeid
    try:
        return (yield)
    finally:
        commands.read_output_files()
        scan_recorded()
        RECORDER.test = SESSION


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    try:
        return (yield)
    finally:  # while the test's monkeypatched variables are still set
        harvest_environ(os.environ, "environment")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, content in report.sections:
        # Captured log is the raw records caplog shows, before any handler: `logs` sees them.
        if name.startswith(("Captured stdout", "Captured stderr")) and name.endswith(report.when):
            RECORDER.add(f"pytest {name}", content)


def scan_recorded() -> None:
    test, seen = RECORDER.take()
    if not seen:
        return
    _scanner.update(*registry.known())
    _leaks.extend(
        leak
        for leak in _scanner.leaks(test, seen)
        if leak.test not in ALLOWED and not SHOWN_ONCE.fullmatch(leak.channel)
    )


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    commands.read_output_files()
    scan_recorded()
    if _leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _leaks:
        return
    terminalreporter.write_sep("=", f"secret scan: {len(_leaks)} leak(s), the run fails", red=True)
    for leak in _leaks:
        terminalreporter.write_line(str(leak))
    terminalreporter.write_line(ADVICE)
