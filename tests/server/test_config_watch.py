"""config.toml changed while serving: a real gateway watching a real file, in front of a
fake upstream that records which account each request reached (`x-account`)."""

from __future__ import annotations

import itertools
import logging
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from dragoman.config import Settings
from dragoman.config.origin import ConfigOrigin
from dragoman.config.toml_text import to_toml
from dragoman.server.config_watch import ConfigWatch
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.server.test_pooling import pool, reached

OPENINGS = itertools.count()


def write(path: Path, config: dict[str, Any]) -> None:
    # Written whole and renamed over the old one, as editors do: never seen half-written.
    part = path.with_suffix(".part")
    part.write_text(to_toml(config))
    part.replace(path)


def wait_for(caplog: pytest.LogCaptureFixture, text: str, times: int = 1) -> None:
    """Until `text` has been logged `times` times."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if caplog.text.count(text) >= times:
            return
        time.sleep(0.05)
    raise AssertionError(f"never logged: {text!r}\n{caplog.text}")


def chat(url: str, times: int, model: str = "m") -> list[int]:
    """`times` new conversations (one opening is one conversation, kept on one account)."""
    statuses = []
    for _ in range(times):
        body = {"model": model, "messages": [{"role": "user", "content": f"hi {next(OPENINGS)}"}]}
        statuses.append(httpx.post(url + "/v1/chat/completions", json=body, timeout=10).status_code)
    return statuses


@pytest.fixture
def config_file(dragoman_home: Path) -> Path:
    dragoman_home.mkdir(parents=True, exist_ok=True)
    return dragoman_home / "config.toml"


@pytest.fixture
def origin(dragoman_home: Path) -> ConfigOrigin:
    return ConfigOrigin(home=str(dragoman_home))


def test_a_new_strategy_in_the_file_is_followed_by_the_next_requests(
    fakes: FakeUpstreams, config_file: Path, origin: ConfigOrigin, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "dragoman.config")
    config = {"providers": pool(fakes.openai_chat, ["a", "b"], ["m"])}
    write(config_file, config)
    with serve_gateway(fakes, origin=origin) as url:
        assert chat(url, 4) == [200] * 4
        write(config_file, {**config, "pools": {"strategy": "round-robin"}})
        wait_for(caplog, "changed: now serving its new [pools]")
        assert chat(url, 4) == [200] * 4
    accounts = reached(fakes.openai_chat)
    assert accounts[:4] == ["a"] * 4  # fill-first, the default
    assert Counter(accounts[4:]) == {"a": 2, "b": 2}


def test_a_broken_file_keeps_the_running_configuration_and_says_why(
    fakes: FakeUpstreams, config_file: Path, origin: ConfigOrigin, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "dragoman.config")
    config = {"providers": pool(fakes.openai_chat, ["a", "b"], ["m"]), "pools": {"strategy": "round-robin"}}
    write(config_file, config)
    with serve_gateway(fakes, origin=origin) as url:
        write(config_file, {**config, "pools": {"strategy": "zigzag"}})
        wait_for(caplog, "cannot be used, the running configuration stays")
        assert chat(url, 4) == [200] * 4
        config_file.write_text(config_file.read_text() + "\n[pools\n")
        wait_for(caplog, "not valid TOML")
        assert chat(url, 2) == [200] * 2
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 2  # one per broken version of the file
    assert str(config_file) in errors[0].getMessage() and "pools.strategy" in errors[0].getMessage()
    assert "zigzag" in errors[0].getMessage() or "fill-first" in errors[0].getMessage()
    assert Counter(reached(fakes.openai_chat)) == {"a": 3, "b": 3}  # still round-robin


def test_providers_priorities_and_aliases_change_live(
    fakes: FakeUpstreams, config_file: Path, origin: ConfigOrigin, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "dragoman.config")
    providers = pool(fakes.openai_chat, ["a", "b"], ["m"])
    write(config_file, {"providers": providers})
    with serve_gateway(fakes, origin=origin) as url:
        assert chat(url, 1, "fast") == [404]
        changed = {**providers, "b": {**providers["b"], "priority": 0}}
        changed |= pool(fakes.openai_chat, ["c"], ["n"])
        write(config_file, {"providers": changed, "models": {"aliases": {"fast": "n"}}})
        wait_for(caplog, "now serving its new [providers], [models]")
        assert chat(url, 2) + chat(url, 1, "fast") == [200] * 3
        write(config_file, {"providers": {**changed, "b": {**changed["b"], "enabled": False}}})
        wait_for(caplog, "now serving its new [providers]", times=2)
        assert chat(url, 1) + chat(url, 1, "fast") == [200, 404]
    assert reached(fakes.openai_chat) == ["b", "b", "c", "a"]


def test_what_cannot_change_live_is_said_once(
    fakes: FakeUpstreams, config_file: Path, origin: ConfigOrigin, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "dragoman.config")
    config = {"providers": pool(fakes.openai_chat, ["a"], ["m"])}
    write(config_file, config)
    with serve_gateway(fakes, origin=origin) as url:
        write(config_file, {**config, "bind": "127.0.0.1:1", "workers": 3})
        wait_for(caplog, "needs a restart: workers")
        write(config_file, {**config, "bind": "127.0.0.1:1", "workers": 3, "pools": {"strategy": "headroom"}})
        wait_for(caplog, "now serving its new [pools]")
        assert chat(url, 1) == [200]
    said = [record.getMessage() for record in caplog.records if "needs a restart" in record.getMessage()]
    assert sorted(message.rsplit(": ", 1)[1] for message in said) == ["bind", "workers"]


def test_variables_and_flags_still_apply_over_the_changed_file(
    config_file: Path, dragoman_home: Path
) -> None:
    applied: list[Settings] = []
    environ = {"DRAGOMAN_POOLS__STRATEGY": "weighted"}
    origin = ConfigOrigin(
        home=str(dragoman_home), overrides={"log_level": "debug"}, flags={"log_level": "--log-level"}
    )
    write(config_file, {"pools": {"session_ttl": "1h"}})
    running = origin.load(environ)
    watch = ConfigWatch(origin, running, applied.append, environ)
    write(config_file, {"pools": {"strategy": "least-used", "session_ttl": "2h"}, "log_level": "error"})
    watch.reload()
    assert [(s.pools.strategy, s.pools.session_ttl, s.log_level) for s in applied] == [
        ("weighted", 7200.0, "debug")
    ]


def test_a_file_that_is_gone_keeps_the_running_configuration(
    config_file: Path, origin: ConfigOrigin, caplog: pytest.LogCaptureFixture
) -> None:
    applied: list[Settings] = []
    write(config_file, {"pools": {"strategy": "round-robin"}})
    watch = ConfigWatch(origin, origin.load({}), applied.append, {})
    config_file.unlink()
    watch.reload()
    assert applied == []
    assert f"{config_file} is gone: the running configuration stays" in caplog.text


def test_a_routing_model_nothing_serves_keeps_the_running_configuration(
    fakes: FakeUpstreams, config_file: Path, origin: ConfigOrigin, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "dragoman.config")
    providers = pool(fakes.openai_chat, ["a"], ["m", "n"])
    rule = {"name": "to-n", "match": {"model": "m"}, "set": {"model": "n"}}
    write(config_file, {"providers": providers, "routing": {"rules": [rule]}})
    with serve_gateway(fakes, origin=origin) as url:
        typo = {**rule, "set": {"model": "nn"}}
        write(config_file, {"providers": providers, "routing": {"rules": [typo]}})
        wait_for(caplog, "cannot be used, the running configuration stays")
        routed = httpx.post(
            url + "/v1/chat/completions",
            json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
            timeout=10,
        )
    [error] = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert 'routing.rules[1] "to-n": set.model "nn" is served by no provider (did you mean n?)' in error
    assert routed.status_code == 200 and "model=n;" in routed.headers["x-dragoman-route"]
