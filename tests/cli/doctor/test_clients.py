"""`dragoman doctor`: each client `dragoman setup` configured points here and asks for
a model served; clients never set up are not reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dragoman.cli import cli
from dragoman.cli.setup import CLIENTS
from tests.cli.doctor.conftest import doctor, findings, free_port, provider_lines, write_config
from tests.fakes.fixtures import FakeUpstreams


def setup(*args: str) -> None:
    result = CliRunner().invoke(cli, ["setup", *args])
    assert result.exit_code == 0, result.output


@pytest.fixture
def served(home: Path, fakes: FakeUpstreams) -> Path:
    write_config(home, "detect_ollama = false\n" + provider_lines(fakes))
    return home


@pytest.mark.parametrize("client", CLIENTS)
def test_a_client_set_up_here_passes_and_others_are_not_reported(served: Path, client: str) -> None:
    setup(client, "--model", "m1")
    report = doctor()
    [found] = findings(report, "client")
    assert found["area"] == f"client {client}" and found["detail"] == "points here, model m1"


@pytest.mark.parametrize("client", CLIENTS)
def test_each_client_pointing_elsewhere_fails(served: Path, client: str) -> None:
    setup(client, "--model", "m1", "--url", "http://192.0.2.9:4800")
    [found] = findings(doctor(exit_code=1), "client")
    assert found["verdict"] == "fail" and found["detail"].startswith("points at http://192.0.2.9:4800, not")


def test_a_client_pointing_elsewhere_fails_with_the_setup_to_run(
    served: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup("claude-code", "--model", "m1")
    moved = free_port()
    monkeypatch.setenv("DRAGOMAN_BIND", f"127.0.0.1:{moved}")
    [claude] = findings(doctor(exit_code=1), "client")
    assert (
        claude["verdict"] == "fail" and f"not at this dragoman (http://127.0.0.1:{moved})" in claude["detail"]
    )
    assert claude["fix"] == "dragoman setup claude-code --model MODEL"


def test_a_client_asking_for_a_model_no_longer_served_fails(served: Path, fakes: FakeUpstreams) -> None:
    setup("gemini-cli", "--model", "m1")
    write_config(served, "detect_ollama = false\n" + provider_lines(fakes).replace('"m1"', '"m2"'))
    [gemini] = findings(doctor(exit_code=1), "client")
    assert gemini["detail"] == "asks for m1, which this dragoman does not serve"
