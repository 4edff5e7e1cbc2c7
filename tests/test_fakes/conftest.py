"""Makes the fake-upstream fixtures available here even before tests/conftest.py loads them."""

from __future__ import annotations

import pytest

PLUGIN = "tests.fakes.fixtures"


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin(PLUGIN):
        config.pluginmanager.import_plugin(PLUGIN)
