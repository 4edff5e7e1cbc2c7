"""The real agents' test bench: pinned CLIs (installed once, cached), one `dragoman serve`
for the session in front of the fake upstreams, a tap that records what the agents send,
and a proxy that catches any attempt to leave the machine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clients.agents import PACKAGES
from tests.clients.install import InstallError, install_all
from tests.clients.proxy import RecordingProxy
from tests.clients.runner import KEY, Runner
from tests.clients.serve import DragomanProcess
from tests.clients.tap import Tap
from tests.fakes.fixtures import FakeUpstreams


@pytest.fixture(scope="session")
def executables() -> dict[str, Path]:
    """{package name: executable}. Missing node or npm fails these tests: CI must provide them."""
    try:
        return install_all(PACKAGES)
    except InstallError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def dragoman_process(
    fake_upstreams_session: FakeUpstreams, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DragomanProcess]:
    with DragomanProcess(tmp_path_factory.mktemp("dragoman"), fake_upstreams_session, KEY) as process:
        yield process


@pytest.fixture(scope="session")
def tap(dragoman_process: DragomanProcess) -> Iterator[Tap]:
    relay = Tap(dragoman_process.port).start()
    yield relay
    relay.stop()


@pytest.fixture(scope="session")
def recording_proxy() -> Iterator[RecordingProxy]:
    proxy = RecordingProxy().start()
    yield proxy
    proxy.stop()


@pytest.fixture
def agents(
    executables: dict[str, Path],
    dragoman_process: DragomanProcess,
    tap: Tap,
    recording_proxy: RecordingProxy,
    fakes: FakeUpstreams,
    tmp_path: Path,
) -> Runner:
    return Runner(executables, dragoman_process, tap, recording_proxy, fakes, tmp_path)
