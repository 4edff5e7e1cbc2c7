"""Installing the pinned CLIs: an error (never a skip) without node or npm, and a cached
install reused without asking npm again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.clients import install
from tests.clients.agents import PACKAGES


def test_without_node_or_npm_the_tests_fail_saying_how_to_get_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "npm" else f"/usr/bin/{name}")
    with pytest.raises(install.InstallError) as caught:
        install.install_all(PACKAGES)
    message = str(caught.value)
    assert message.startswith("npm not found on PATH")
    assert "apt-get install -y nodejs npm" in message


def test_a_cached_install_is_reused_as_it_is(
    executables: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_npm(npm: str, package: install.Package) -> None:
        raise AssertionError(f"npm was run again for {package.spec}")

    monkeypatch.setattr(install, "_start_install", no_npm)
    assert install.install_all(PACKAGES) == executables
    for package in PACKAGES:
        assert executables[package.name].is_relative_to(install.CACHE / f"{package.name}-{package.version}")
