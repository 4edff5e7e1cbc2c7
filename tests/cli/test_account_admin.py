"""`dragoman accounts list|enable|disable|set|reset`, as a user runs them: against a
running gateway (through its admin API, with the local key) and with none running
(on the home folder), and the running gateways that see what they change."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
from click.testing import CliRunner, Result

from dragoman.cli import cli
from dragoman.state import WHOLE_ACCOUNT, Cooldown, open_state
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import closed_port, serve_gateway
from tests.server.test_pooling import pool, reached
from tests.state.conftest import REDIS_URL, redis_prefix

LOCAL_KEY = "local-cli-key-77d0e2"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "250"})


def write_config(home: Path, port: int, text: str = "") -> None:
    home.mkdir(parents=True, exist_ok=True)
    head = f'detect_ollama = false\nbind = "127.0.0.1:{port}"\napi_keys = ["{LOCAL_KEY}"]\n'
    (home / "config.toml").write_text(head + text)


PROVIDERS = "".join(
    f'[providers.{name}]\nkind = "openai_compatible"\nbase_url = "http://127.0.0.1:9/v1"\nmodels = ["m"]\n'
    for name in ("first", "second")
)


def listed(*extra: str) -> dict[str, dict[str, Any]]:
    result = run("accounts", "list", "--json", *extra)
    assert result.exit_code == 0, result.output
    return {account["label"]: account for account in orjson.loads(result.stdout)["accounts"]}


def chat(url: str) -> httpx.Response:
    body = {"model": "m", "messages": [{"role": "user", "content": f"hi {uuid.uuid4()}"}]}
    headers = {"authorization": f"Bearer {LOCAL_KEY}"}
    return httpx.post(url + "/v1/chat/completions", json=body, headers=headers, timeout=10)


def test_without_a_server_changes_are_kept_in_the_home(dragoman_home: Path) -> None:
    with closed_port() as port:
        write_config(dragoman_home, port, PROVIDERS + "priority = 4\n")
        disabled = run("accounts", "disable", "first", "--verbose")
        changed = run("accounts", "set", "second", "--weight", "2.5", "--max-concurrent", "3")
        accounts = listed()
        lifted = run("accounts", "set", "second", "--max-concurrent", "none")
        table = run("accounts", "list")
    assert disabled.exit_code == 0, disabled.output
    assert f"no dragoman answers at http://127.0.0.1:{port}" in disabled.stderr
    assert "first: disabled" in disabled.stdout
    assert "weight 2.5, max concurrent 3" in changed.stdout
    assert accounts["first"]["state"]["status"] == "disabled" and accounts["first"]["overridden"] == [
        "enabled"
    ]
    assert accounts["second"]["policy"] == {
        "priority": 4,
        "weight": 2.5,
        "max_concurrent": 3,
        "enabled": True,
    }
    assert "max concurrent none" in lifted.stdout
    assert table.exit_code == 0 and "disabled" in table.stdout and "priority 4, weight 2.5" in table.stdout


def test_mistakes_are_one_line_and_exit_2(dragoman_home: Path) -> None:
    with closed_port() as port:
        write_config(dragoman_home, port, PROVIDERS)
        unknown = run("accounts", "disable", "nobody")
        nothing = run("accounts", "set", "first")
        wrong = run("accounts", "set", "first", "--max-concurrent", "0")
    assert unknown.exit_code == 2 and len(unknown.output.strip().splitlines()) == 1
    assert "no account 'nobody'" in unknown.output and "first, second" in unknown.output
    assert nothing.exit_code == 2 and "give at least one of" in nothing.output
    assert wrong.exit_code == 2 and "at least 1" in wrong.output


def test_reset_without_a_server_clears_a_kept_cooldown(dragoman_home: Path) -> None:
    async def cool() -> None:
        async with open_state(dragoman_home) as state:
            state.health.strike("first", WHOLE_ACCOUNT, "unhealthy", "403 account suspended")

    with closed_port() as port:
        write_config(dragoman_home, port, PROVIDERS)
        asyncio.run(cool())
        before = listed()["first"]
        reset = run("accounts", "reset", "first")
        after = listed()["first"]
    assert before["state"]["text"] == "unhealthy: 403 account suspended"
    assert reset.exit_code == 0 and "first: ready" in reset.stdout
    assert after["state"]["status"] == "ready" and after["cooldowns"] == []


def test_reset_without_a_server_clears_a_cooldown_the_replicas_share_on_redis(dragoman_home: Path) -> None:
    async def cool(prefix: str) -> None:
        async with open_state(None, redis_url=REDIS_URL, redis_prefix=prefix) as state:
            state.health.strike("first", WHOLE_ACCOUNT, "unhealthy", "403 account suspended")

    async def replica_sees(prefix: str) -> list[Cooldown]:
        async with open_state(None, redis_url=REDIS_URL, redis_prefix=prefix) as state:
            return list(state.health.cooldowns("first"))

    async def scenario() -> None:
        with redis_prefix() as prefix:
            with closed_port() as port:
                redis = f'redis_url = "{REDIS_URL}"\nredis_prefix = "{prefix}"\n'
                write_config(dragoman_home, port, redis + PROVIDERS)
                await cool(prefix)
                before = (await asyncio.to_thread(listed))["first"]
                reset = await asyncio.to_thread(run, "accounts", "reset", "first")
            assert before["state"]["text"] == "unhealthy: 403 account suspended"
            assert reset.exit_code == 0 and "first: ready" in reset.stdout
            assert await replica_sees(prefix) == []
            assert not (dragoman_home / "state").exists()  # nothing of it in the home

    asyncio.run(scenario())


def test_add_takes_the_pool_policy(dragoman_home: Path) -> None:
    with closed_port() as port:
        write_config(dragoman_home, port)
        added = run("accounts", "add", "--provider", "openai_compatible", "--label", "local",
                    "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
                    "--priority", "2", "--weight", "4", "--max-concurrent", "8", "--disabled")  # fmt: skip
        account = listed()["local"]
        assert added.exit_code == 0, added.output
        assert account["policy"] == {"priority": 2, "weight": 4.0, "max_concurrent": 8, "enabled": False}
        assert run("accounts", "remove", "local").exit_code == 0
        run("accounts", "add", "--provider", "openai_compatible", "--label", "local",
            "--base-url", "http://127.0.0.1:9/v1", "--model", "m")  # fmt: skip
        again = listed()["local"]
    assert again["policy"]["enabled"] is True and again["overridden"] == []  # the old override went with it


def test_with_a_server_the_cli_uses_its_admin_api(fakes: FakeUpstreams, dragoman_home: Path) -> None:
    providers = pool(fakes.openai_chat, ["acct-0", "acct-1"], ["m"])
    with serve_gateway(fakes, providers=providers, api_keys=[LOCAL_KEY]) as url:
        write_config(dragoman_home, int(url.rpartition(":")[2]))
        disabled = run("accounts", "disable", "acct-0", "-v")
        assert chat(url).status_code == 200  # at once: this gateway took the call
        from_cli = run("accounts", "list", "--json")
        from_api = httpx.get(url + "/v1/admin/accounts", headers={"authorization": f"Bearer {LOCAL_KEY}"})
        reset = run("accounts", "reset", "acct-0")
    assert disabled.exit_code == 0 and f"using the dragoman serving at {url}" in disabled.stderr
    assert reached(fakes.openai_chat) == ["acct-1"]
    assert orjson.loads(from_cli.stdout) == from_api.json()
    assert reset.exit_code == 0 and "acct-0: disabled" in reset.stdout


def test_a_server_refusing_the_key_is_one_line_and_exit_2(fakes: FakeUpstreams, dragoman_home: Path) -> None:
    providers = pool(fakes.openai_chat, ["acct-0"], ["m"])
    with serve_gateway(fakes, providers=providers, api_keys=["another-key-1234567"]) as url:
        write_config(dragoman_home, int(url.rpartition(":")[2]))
        refused = run("accounts", "list")
    assert refused.exit_code == 2
    assert "answered 401" in refused.output and len(refused.output.strip().splitlines()) == 1


def test_a_running_gateway_serves_by_a_change_made_elsewhere_within_seconds(
    fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    providers = pool(fakes.openai_chat, ["acct-0", "acct-1"], ["m"])
    with serve_gateway(fakes, providers=providers, api_keys=[LOCAL_KEY]) as url, closed_port() as port:
        write_config(dragoman_home, port, PROVIDERS.replace("first", "acct-0").replace("second", "acct-1"))
        assert chat(url).status_code == 200
        assert run("accounts", "disable", "acct-0").exit_code == 0  # no server at that address
        deadline = time.monotonic() + 8
        while reached(fakes.openai_chat)[-1] != "acct-1" and time.monotonic() < deadline:
            time.sleep(0.2)
            assert chat(url).status_code == 200
        took = 8 - (deadline - time.monotonic())
    assert reached(fakes.openai_chat)[-1] == "acct-1", "the change was not seen"
    assert took < 6
