"""A running dragoman wired to the four fakes, shared by the tests of one module that
drive dialects over HTTP (`POST` what a client would, read what it would get)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway


@pytest.fixture(scope="module")
def gateway_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A private home for a module's gateway, and no DRAGOMAN_* from the machine."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("DRAGOMAN_"):
                patch.delenv(name)
        patch.setenv("DRAGOMAN_HOME", str(tmp_path_factory.mktemp("dragoman-home")))
        patch.setenv("DRAGOMAN_DETECT_OLLAMA", "false")
        yield


@pytest.fixture(scope="module")
def gateway(gateway_home: None, fake_upstreams_session: FakeUpstreams) -> Iterator[str]:
    """The gateway's root URL, its upstreams the fakes (`tests.gateway`)."""
    with serve_gateway(fake_upstreams_session) as root:
        yield root
