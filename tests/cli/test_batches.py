"""`dragoman batches list|show|cancel`, as a user runs them: through a running gateway's
API, and with none running, on the home folder's database."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anthropic
import orjson
from click.testing import CliRunner, Result

from dragoman.cli import cli
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF, closed_port, serve_gateway

KEY = "batches-cli-admin-5d1c"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "250"})


def shown(*args: str) -> Any:
    result = run("batches", *args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def write_config(home: Path, port: int) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f'detect_ollama = false\nbind = "127.0.0.1:{port}"\napi_keys = ["{KEY}"]\n'
    )


def made(url: str, count: int) -> str:
    sdk = anthropic.Anthropic(base_url=url, api_key=KEY, max_retries=0)
    params = {
        "model": MODEL_OF["anthropic"],
        "max_tokens": 16,
        "messages": [{"role": "user", "content": "hi"}],
    }
    return sdk.messages.batches.create(
        requests=[{"custom_id": f"r{n}", "params": params} for n in range(count)]
    ).id


def until_ended(batch_id: str) -> Any:
    deadline = time.monotonic() + 20
    while (found := shown("show", batch_id))["processing_status"] != "ended":
        assert time.monotonic() < deadline, found
        time.sleep(0.05)
    return found


def test_with_a_server_the_cli_lists_shows_and_cancels_its_batches(
    fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    fakes.anthropic.script(*[Reply(text="slow", delay_before_first_byte=0.4)] * 5)
    with serve_gateway(fakes, api_keys=[KEY], batches={"concurrency": 1}) as url:
        write_config(dragoman_home, int(url.rpartition(":")[2]))
        batch_id = made(url, 5)
        listed = run("batches", "list", "-v")
        canceled = run("batches", "cancel", batch_id)
        done = until_ended(batch_id)
        table = run("batches", "show", batch_id)
    assert listed.exit_code == 0 and f"using the dragoman serving at {url}" in listed.stderr
    assert batch_id in listed.stdout and "in_progress" in listed.stdout
    assert canceled.exit_code == 0 and "canceling" in canceled.stdout
    counts = done["request_counts"]
    assert counts["canceled"] == 5 - counts["succeeded"] >= 3
    assert done["results_url"] == f"{url}/v1/messages/batches/{batch_id}/results"
    assert "status:   ended" in table.stdout and f"{counts['canceled']} canceled" in table.stdout


def test_without_a_server_the_cli_reads_and_cancels_in_the_home(
    fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    fakes.anthropic.script(*[Reply(text="slow", delay_before_first_byte=0.3)] * 4)
    with serve_gateway(fakes, api_keys=[KEY], batches={"concurrency": 1}) as url:
        batch_id = made(url, 4)
        time.sleep(0.1)
    with closed_port() as port:
        write_config(dragoman_home, port)
        listed = run("batches", "list", "-v")
        before = shown("show", batch_id)
        canceled = shown("cancel", batch_id)
        missing = run("batches", "show", "msgbatch_01nothere")
    assert "no dragoman answers" in listed.stderr and batch_id in listed.stdout
    assert before["processing_status"] == "in_progress" and before["request_counts"]["processing"] >= 2
    assert canceled["processing_status"] == "ended"
    assert canceled["request_counts"]["canceled"] == before["request_counts"]["processing"]
    assert missing.exit_code == 2 and "no message batch 'msgbatch_01nothere' here" in missing.output


def test_without_a_database_there_are_no_batches(dragoman_home: Path) -> None:
    with closed_port() as port:
        write_config(dragoman_home, port)
        listed = run("batches", "list")
    assert listed.exit_code == 0 and "No message batches." in listed.stdout
    assert not (dragoman_home / "dragoman.db").exists()
