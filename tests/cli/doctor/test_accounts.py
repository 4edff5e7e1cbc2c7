"""`dragoman doctor`: each account served or why not, subscription tokens, and with
--online one tiny request to each upstream and the clock against theirs."""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from dragoman.auth.status import REFRESH_ERROR
from dragoman.cli import cli
from dragoman.cli.check import Outcome
from dragoman.cli.doctor.accounts import clock, token
from dragoman.store.accounts import Account
from tests.cli.doctor.conftest import doctor, findings, provider_lines, write_config
from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.subscriptions import Subscription, store_login, subscription


def test_a_served_account_passes_and_one_without_its_key_fails_saying_why(
    home: Path, fakes: FakeUpstreams, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MISSING_KEY", raising=False)
    broken = '[providers.spare]\nkind = "openai"\napi_key_env = "MISSING_KEY"\n'
    write_config(home, "detect_ollama = false\n" + provider_lines(fakes) + broken)
    report = doctor(exit_code=1)
    [work] = findings(report, "account work")
    [spare] = findings(report, "account spare")
    assert work["verdict"] == "ok" and work["detail"] == "served: 1 models"
    assert spare["verdict"] == "fail" and "MISSING_KEY" in spare["detail"]


def test_online_each_upstream_answers_a_tiny_request_and_the_clock_is_compared(
    home: Path, fakes: FakeUpstreams
) -> None:
    fakes.openai_chat.script(Reply(text="OK"))
    write_config(home, "detect_ollama = false\n" + provider_lines(fakes))
    report = doctor("--online")
    [upstream] = findings(report, "upstream work")
    assert upstream["verdict"] == "ok" and upstream["detail"].startswith("m1 answered in ")
    assert len(fakes.openai_chat.requests) == 1
    [clock] = findings(report, "clock")  # from the upstream's own Date header
    assert clock["verdict"] == "ok" and clock["detail"].endswith("of the upstream's")


def test_online_an_upstream_failing_is_a_problem_with_the_command_to_see_more(
    home: Path, fakes: FakeUpstreams
) -> None:
    fakes.anthropic.script(Reply(error=Failure(500, "the upstream is down")))
    write_config(home, "detect_ollama = false\n" + provider_lines(fakes, "anthropic", "claude"))
    [upstream] = findings(doctor("--online", exit_code=1), "upstream claude")
    assert upstream["verdict"] == "fail" and "the upstream is down" in upstream["detail"]
    assert upstream["fix"] == "`dragoman test claude` shows the whole answer"


def test_without_online_no_upstream_is_asked(home: Path, fakes: FakeUpstreams) -> None:
    write_config(home, "detect_ollama = false\n" + provider_lines(fakes))
    assert findings(doctor(), "upstream") == []
    assert fakes.openai_chat.requests == []


def login(**fields: object) -> Account:
    return Account("codex", label="codex-alice", auth="oauth", access_token="t", refresh_token="r", **fields)  # type: ignore[arg-type]


def test_a_token_expiring_later_is_fine_and_an_expired_one_is_refreshed_on_use() -> None:
    now = time.time()
    assert token(login(expires_at=now + 86_400), now).verdict == "ok"
    assert token(login(expires_at=now - 60), now).detail.endswith("refreshed on next use")


def test_a_failed_refresh_fails_with_the_command_to_retry() -> None:
    found = token(login(expires_at=time.time() - 60, extra={REFRESH_ERROR: "invalid_grant"}))
    assert found.verdict == "fail" and "invalid_grant" in found.detail
    assert found.fix == "dragoman refresh --account codex-alice"


def test_a_login_without_token_must_log_in_again() -> None:
    found = token(Account("claude", label="claude", auth="oauth"))
    assert found.verdict == "fail" and found.fix == "dragoman login --provider claude"


def answered(at: float) -> Outcome:
    return Outcome("work", "m1", "openai_chat", "", status=200, server_date=formatdate(at, usegmt=True))


def test_a_clock_minutes_off_the_upstreams_fails() -> None:
    now = float(int(time.time()))  # a Date header has whole seconds
    [found] = clock([answered(now - 300)], now)
    assert found.verdict == "fail" and "300 s ahead of the upstream's" in found.detail
    [fine] = clock([answered(now - 2)], now)
    assert fine.verdict == "ok"
    assert clock([Outcome("work", "m1", "openai_chat", "")], now) == []


@pytest.fixture
def codex(home: Path) -> Iterator[Subscription]:
    """The fake Codex OAuth server and backend, named in this home's config."""
    with subscription("codex") as sub:
        write_config(home, "detect_ollama = false\n" + sub.toml())
        yield sub


def test_online_a_login_is_refreshed_and_its_upstream_asked(home: Path, codex: Subscription) -> None:
    account = store_login(home, codex)
    report = doctor("--online")
    [refreshed] = findings(report, "refresh")
    assert refreshed == {"area": f"refresh {account.label}", "verdict": "ok", "detail": "works", "fix": None}
    [upstream] = findings(report, "upstream")
    assert upstream["verdict"] == "ok", upstream


def test_online_a_refresh_the_provider_refuses_fails_without_showing_a_token(
    home: Path, codex: Subscription
) -> None:
    account = store_login(home, codex)
    codex.oauth.refresh_failure = (400, {"error": "invalid_grant", "error_description": "grant revoked"})
    result = CliRunner().invoke(cli, ["doctor", "--online", "--json"])
    assert result.exit_code == 1
    [refreshed] = findings(orjson.loads(result.stdout), "refresh")
    assert refreshed["verdict"] == "fail" and "grant revoked" in refreshed["detail"]
    assert account.access_token not in result.output and account.refresh_token not in result.output
