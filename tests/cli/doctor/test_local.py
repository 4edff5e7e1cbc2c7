"""`dragoman doctor`: the config, the folder's permissions and the ports."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from dragoman.cli import cli
from dragoman.cli.common import config_origin
from dragoman.cli.doctor.local import port
from dragoman.config import load
from dragoman.config.binds import parse_bind
from tests.cli.doctor.conftest import doctor, findings, provider_lines, write_config
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import providers_for, serve_gateway


def test_a_healthy_home_passes_with_exit_code_0(home: Path) -> None:
    report = doctor(exit_code=0)
    assert report["ok"] is True
    verdicts = {item["area"].split()[0]: item["verdict"] for item in findings(report, "")}
    assert verdicts == {"config": "ok", "permissions": "ok", "port": "ok", "accounts": "warn"}


def test_an_unknown_config_key_fails_naming_it_and_the_file(home: Path) -> None:
    write_config(home, "detect_olama = false\n")
    [config] = findings(doctor(exit_code=1), "config")
    assert config["verdict"] == "fail" and "detect_olama" in config["detail"]
    assert str(home / "config.toml") in config["fix"]


def test_a_config_with_keys_open_to_others_fails_with_the_chmod_to_run(home: Path) -> None:
    write_config(home, 'api_keys = ["k"]\n')
    (home / "config.toml").chmod(0o644)
    [folder, config] = findings(doctor(exit_code=1), "permissions")
    assert folder["verdict"] == "ok"
    assert config["verdict"] == "fail" and config["fix"] == f"chmod 600 {home / 'config.toml'}"


def test_a_key_file_open_to_others_fails_with_the_chmod_to_run(home: Path) -> None:
    write_config(home, "detect_ollama = false\n")
    (home / "secret.key").write_text("not read by doctor\n")
    (home / "secret.key").chmod(0o644)
    [_, _, key_file] = findings(doctor(exit_code=1), "permissions")
    assert key_file["verdict"] == "fail" and key_file["fix"] == f"chmod 600 {home / 'secret.key'}"


def test_an_open_folder_without_secrets_is_a_warning_only(home: Path) -> None:
    home.chmod(0o755)
    report = doctor(exit_code=0)
    [folder, _] = findings(report, "permissions")
    assert folder["verdict"] == "warn" and folder["fix"] == f"chmod 700 {home}"


def test_a_port_another_program_holds_fails_saying_how_to_find_it(home: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        settings = load(overrides={"bind": [parse_bind(f"127.0.0.1:{held.getsockname()[1]}")]})
        found = port(settings.bind[0], settings)
    assert found.verdict == "fail" and found.detail == "taken by another program"
    assert "ss -ltnp" in (found.fix or "")


def test_a_port_where_this_dragoman_answers_passes(
    home: Path, fakes: FakeUpstreams, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(home, "detect_ollama = false\n" + provider_lines(fakes))
    with serve_gateway(fakes, config_origin(str(home), None)) as url:
        monkeypatch.setenv("DRAGOMAN_BIND", url.removeprefix("http://"))
        [found] = findings(doctor(), "port")
    assert found["verdict"] == "ok" and found["detail"] == "this dragoman answers there, serving 1 models"


def test_a_port_where_a_dragoman_of_other_models_answers_fails(
    home: Path, fakes: FakeUpstreams, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_gateway(fakes, providers=providers_for(fakes)) as url:
        monkeypatch.setenv("DRAGOMAN_BIND", url.removeprefix("http://"))
        [found] = findings(doctor(exit_code=1), "port")
    assert found["verdict"] == "fail" and found["detail"].endswith(" models, this config 0")
    assert found["detail"].startswith("another dragoman answers there: it serves ")


def test_a_port_where_a_dragoman_refusing_this_configs_key_answers_fails(
    home: Path, fakes: FakeUpstreams, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(home, 'detect_ollama = false\napi_keys = ["doctor-key-5b1e"]\n')
    with serve_gateway(fakes, api_keys=["other-key-93c4"]) as url:
        monkeypatch.setenv("DRAGOMAN_BIND", url.removeprefix("http://"))
        [found] = findings(doctor(exit_code=1), "port")
    assert found["detail"] == "another dragoman answers there: it refuses this config's key"


def test_an_address_of_no_interface_here_fails(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAGOMAN_BIND", "192.0.2.1:4800")
    monkeypatch.setenv("DRAGOMAN_API_KEYS", '["k"]')
    [found] = findings(doctor(exit_code=1), "port")
    assert found["verdict"] == "fail" and "cannot listen there" in found["detail"]


def test_without_json_each_problem_is_printed_with_its_fix(home: Path) -> None:
    write_config(home, "detect_olama = false\n")
    result = CliRunner().invoke(cli, ["doctor"], terminal_width=200)
    assert result.exit_code == 1
    assert "fail config:" in result.output and f"fix: edit {home / 'config.toml'}" in result.output
    assert "1 problem found" in result.output
