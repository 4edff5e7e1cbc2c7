"""`[auto]` and `[[routing.rules]]` as the config file gives them: a rule that cannot
work is refused at start-up, the error naming the rule and the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dragoman.config import ConfigError, load

ROOT = Path(__file__).resolve().parents[2]


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load(config=path, environ={})


GOOD = """
[auto.tiers]
simple = "gemini-2.5-flash"
complex = "claude-sonnet-4-6"

[auto.profiles.cheap.tiers]
complex = "gpt-4.1"

[auto.floors]
images = "reasoning"

[[routing.rules]]
name = "haiku-to-flash"
match = { client = "claude-code", model = "claude-*haiku*", header = { "X-Team" = "a" } }
set = { model = "gemini-2.5-flash", reasoning_effort = "low" }

[[routing.rules]]
name = "no-images"
match = { images = true, min_tokens = 1000, tools = false, dialect = "gemini", key = "key2" }
deny = "no images here"
"""


def test_a_valid_routing_config_is_read(tmp_path: Path) -> None:
    settings = _load(tmp_path, GOOD)
    rules = settings.routing.rules  # type: ignore[attr-defined]
    assert [rule.name for rule in rules] == ["haiku-to-flash", "no-images"]
    assert rules[0].match.header == {"x-team": "a"}  # header names match case-insensitively
    assert rules[1].deny == "no images here"
    auto = settings.auto  # type: ignore[attr-defined]
    assert auto.tiers.simple == "gemini-2.5-flash" and auto.floors.images == "reasoning"
    assert auto.floors.tools == "medium"  # the default floor stays
    assert auto.profiles["cheap"].tiers.complex == "gpt-4.1"


@pytest.mark.parametrize(
    ("rule", "named"),
    [
        ('name = "r1"\nmatch = { clinet = "codex" }\ndeny = "x"', ["'r1'", "match.clinet"]),
        (
            'name = "r2"\nmatch = { client = "vim" }\ndeny = "x"',
            ["'r2'", "match.client", "unknown client 'vim'"],
        ),
        ('name = "r3"\nmatch = { min_tokens = -1 }\ndeny = "x"', ["'r3'", "match.min_tokens"]),
        ('name = "r4"\nmatch = { dialect = "cohere" }\ndeny = "x"', ["'r4'", "match.dialect"]),
        ('name = "r5"\nset = { reasoning_effort = "huge" }', ["'r5'", "set.reasoning_effort"]),
        ('name = "r6"\nset = { model = "a" }\ndeny = "x"', ["'r6'", "either set"]),
        ('name = "r7"\nmatch = { tools = true }', ["'r7'", "either set"]),
        ('name = "r8"\nset = {}', ["'r8'", "set", "names none of"]),
        ('match = { tools = true }\ndeny = "x"', ["#1", "name"]),
        ('name = "r9"\nmatch = { images = "yes" }\ndeny = "x"', ["'r9'", "match.images"]),
    ],
)
def test_an_invalid_rule_is_refused_naming_the_rule_and_the_field(
    tmp_path: Path, rule: str, named: list[str]
) -> None:
    with pytest.raises(ConfigError) as error:
        _load(tmp_path, f"[[routing.rules]]\n{rule}\n")
    assert all(part in str(error.value) for part in named), str(error.value)


def test_two_rules_of_one_name_are_refused(tmp_path: Path) -> None:
    rule = '[[routing.rules]]\nname = "same"\ndeny = "x"\n'
    with pytest.raises(ConfigError, match="rule 'same', field name"):
        _load(tmp_path, rule * 2)


@pytest.mark.parametrize(
    "text",
    ['[auto.tiers]\nsimple = "auto"', '[auto.floors]\nimages = "huge"', '[auto.tiers]\nfast = "x"'],
)
def test_invalid_auto_settings_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError):
        _load(tmp_path, text)


def _readme_section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Routing: auto and rules\n")
    return readme[start : readme.index("\n## ", start + 1)]


def test_the_readmes_routing_examples_are_valid(tmp_path: Path) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", _readme_section(), re.DOTALL)
    assert len(blocks) == 2
    settings = _load(tmp_path, "\n".join(blocks))
    assert [rule.name for rule in settings.routing.rules][:2] == [  # type: ignore[attr-defined]
        "claude-code-background",
        "gemini-cli-router",
    ]


def test_the_example_file_is_valid_once_uncommented(tmp_path: Path) -> None:
    lines = (ROOT / "examples" / "routing.toml").read_text().splitlines()
    uncommented = [
        line.removeprefix("# ")
        for line in lines
        if line.startswith("# [") or (line.startswith("# ") and " = " in line and "#   " not in line)
    ]
    settings = _load(tmp_path, "\n".join(uncommented))
    assert len(settings.routing.rules) == 6  # type: ignore[attr-defined]
    assert settings.auto.profiles["cheap"].tiers.reasoning == "gemini-2.5-pro"  # type: ignore[attr-defined]
