"""`dragoman keys create|list|show|update|revoke|rotate`, as a user runs them: with no
gateway running (on the home folder) and through a running gateway's admin API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson
from click.testing import CliRunner, Result

from dragoman.cli import cli
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import closed_port, serve_gateway
from tests.secret_scan.registry import register

ADMIN_KEY = "keys-cli-admin-0b7e"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "250"})


def write_config(home: Path, port: int) -> None:
    home.mkdir(parents=True, exist_ok=True)
    text = (
        f'detect_ollama = false\nbind = "127.0.0.1:{port}"\napi_keys = ["{ADMIN_KEY}"]\ntime_zone = "UTC"\n'
    )
    (home / "config.toml").write_text(text)


def secret_of(result: Result) -> str:
    """The secret `create` or `rotate` printed, registered with the leak scan."""
    assert result.exit_code == 0, result.output
    said, secret = result.stdout.strip().splitlines()
    assert said.endswith("Its secret, shown this once:") and secret.startswith("dgm_")
    register(secret, "a local key printed by the CLI")
    return secret


def shown(*args: str) -> Any:
    result = run("keys", *args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def test_without_a_server_keys_are_kept_in_the_home(dragoman_home: Path) -> None:
    with closed_port() as port:
        write_config(dragoman_home, port)
        made = run("keys", "create", "alice", "--models", "claude-*", "--models", "gpt-*", "--deny", "gpt-5*",
                   "--budget", "20usd/month", "--tokens", "5M/day", "--requests", "1000/5h", "--rpm", "60",
                   "--max-concurrent", "4", "--max-output-tokens", "4096", "--guard", "80",
                   "--expires", "30d", "-v")  # fmt: skip
        secret = secret_of(made)
        listed = run("keys", "list")
        one = shown("show", "alice")
        updated = run("keys", "update", "alice", "--rpm", "none", "--tpm", "200k")
        rotated = secret_of(run("keys", "rotate", "alice"))
        revoked = run("keys", "revoke", "alice")
        after = shown("list")["keys"]
    assert f"no dragoman answers at http://127.0.0.1:{port}" in made.stderr
    assert "key alice made" in made.stdout
    assert listed.exit_code == 0 and "alice" in listed.stdout and secret[:8] in listed.stdout
    assert "budget 0.00/20.00 usd per month (UTC)" in listed.stdout and secret not in listed.stdout
    assert one["options"] == {"models": ["claude-*", "gpt-*"], "deny": ["gpt-5*"], "budget": "20usd/month",
                              "tokens": "5M/day", "requests": "1000/5h", "rpm": "60", "max_concurrent": 4,
                              "max_output_tokens": 4096, "guard": 80.0, "expires": "30d"}  # fmt: skip
    assert [(limit["name"], limit["period"]) for limit in one["limits"]] == [
        ("budget", "month (UTC)"), ("tokens", "day (UTC)"),
        ("requests", "rolling 5h"), ("rpm", "rolling 1m")]  # fmt: skip
    assert updated.exit_code == 0 and "--tpm 200k" in updated.stdout and "--rpm" not in updated.stdout
    assert rotated != secret
    assert revoked.exit_code == 0 and "key alice revoked" in revoked.stdout
    assert [key["state"] for key in after] == ["revoked"]


def test_mistakes_are_one_line_and_exit_2(dragoman_home: Path) -> None:
    with closed_port() as port:
        write_config(dragoman_home, port)
        bad = run("keys", "create", "bob", "--budget", "20eur/month")
        unknown = run("keys", "revoke", "nobody")
        nothing = run("keys", "update", "bob")
        missing = run("keys", "show", "nobody")
    assert bad.exit_code == 2 and "--budget '20eur/month': expected an amount in US dollars" in bad.output
    assert len(bad.output.strip().splitlines()) == 1
    assert unknown.exit_code == 2 and "no such key in use" in unknown.output
    assert nothing.exit_code == 2 and "give at least one option" in nothing.output
    assert missing.exit_code == 2 and "no key named nobody" in missing.output


def test_with_a_server_the_cli_uses_its_admin_api(fakes: FakeUpstreams, dragoman_home: Path) -> None:
    with serve_gateway(fakes, api_keys=[ADMIN_KEY]) as url:
        write_config(dragoman_home, int(url.rpartition(":")[2]))
        made = run("keys", "create", "carol", "--models", "gpt-4.1", "-v")
        secret = secret_of(made)
        bearer = {"authorization": f"Bearer {secret}"}
        listed = httpx.get(url + "/v1/models", headers=bearer, timeout=10)  # served at once
        from_cli = shown("show", "carol")
        from_api = httpx.get(url + "/v1/admin/keys/carol", headers={"authorization": f"Bearer {ADMIN_KEY}"})
        rotated = secret_of(run("keys", "rotate", "carol"))
        old = httpx.get(url + "/v1/models", headers=bearer, timeout=10)
        new = httpx.get(url + "/v1/models", headers={"authorization": f"Bearer {rotated}"}, timeout=10)
        revoked = run("keys", "revoke", "carol")
        gone = httpx.get(url + "/v1/models", headers={"authorization": f"Bearer {rotated}"}, timeout=10)
    assert f"using the dragoman serving at {url}" in made.stderr
    assert [model["id"] for model in listed.json()["data"]] == ["gpt-4.1"]
    assert from_cli == from_api.json()
    assert (old.status_code, new.status_code) == (401, 200)
    assert revoked.exit_code == 0 and gone.status_code == 401
