"""`dragoman doctor`: the models the routing config names, served or why not, as `serve`
checks them at start."""

from __future__ import annotations

from pathlib import Path

from tests.cli.doctor.conftest import doctor, findings, provider_lines, write_config
from tests.fakes.fixtures import FakeUpstreams


def _config(home: Path, fakes: FakeUpstreams, routing: str) -> None:
    write_config(home, "detect_ollama = false\n" + provider_lines(fakes) + routing)


def test_served_routing_models_pass(home: Path, fakes: FakeUpstreams) -> None:
    _config(home, fakes, '[auto.tiers]\nsimple = "m1"\n[models.fallbacks]\n"m1" = []\n')
    [routing] = findings(doctor(), "routing")
    assert routing["verdict"] == "ok" and routing["detail"].startswith("each of the 2 models ")


def test_a_typo_fails_naming_its_place_and_one_out_of_reach_warns(home: Path, fakes: FakeUpstreams) -> None:
    rules = (
        '[[routing.rules]]\nname = "to-m"\nmatch = { tools = true }\nset = { model = "m11" }\n'
        '[[routing.rules]]\nname = "later"\nmatch = { tools = false }\nset = { model = "gpt-4.1" }\n'
    )
    _config(home, fakes, rules)
    typo, later = findings(doctor(exit_code=1), "routing")
    assert (typo["verdict"], typo["detail"]) == (
        "fail",
        'routing.rules[1] "to-m": set.model "m11" is served by no provider (did you mean m1?)',
    )
    assert typo["fix"].startswith("name a model `dragoman models` lists")
    assert later["verdict"] == "warn" and later["detail"].startswith(
        'routing.rules[2] "later": set.model "gpt-4.1"'
    )


def test_no_routing_config_is_no_finding(home: Path, fakes: FakeUpstreams) -> None:
    _config(home, fakes, "")
    assert findings(doctor(), "routing") == []
