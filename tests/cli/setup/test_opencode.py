"""OpenCode and Kilo: Kilo's own gateway is added to the user's disabled providers (never
replacing them), and what both read from the environment only is printed to export."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.cli.setup.conftest import MODEL, setup


def kilo_config(user: Path) -> dict[str, object]:
    return orjson.loads((user / ".config" / "kilo" / "kilo.json").read_bytes())


def test_kilos_gateway_joins_the_users_disabled_providers_once(user: Path) -> None:
    path = user / ".config" / "kilo" / "kilo.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"disabled_providers": ["openrouter"]}')
    setup("kilo", "--model", MODEL)
    setup("kilo", "--model", "local-model")
    assert kilo_config(user)["disabled_providers"] == ["openrouter", "kilo"]


def test_opencode_keeps_every_provider_it_had(user: Path) -> None:
    setup("opencode", "--model", MODEL)
    written = orjson.loads((user / ".config" / "opencode" / "opencode.json").read_bytes())
    assert "disabled_providers" not in written


def test_the_variables_read_from_the_environment_only_are_printed_to_export(user: Path) -> None:
    printed = setup("kilo", "--model", MODEL).output
    assert "\nexport KILO_DISABLE_MODELS_FETCH=1\nexport KILO_TELEMETRY_LEVEL=off\nkilo run " in printed
    printed = setup("opencode", "--model", MODEL).output
    assert "\nexport OPENCODE_DISABLE_MODELS_FETCH=1\nopencode run " in printed
