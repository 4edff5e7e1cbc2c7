"""The time zone of calendar periods: the config's `time_zone`, else the machine's."""

from __future__ import annotations

from pathlib import Path

import pytest

from dragoman.config import ConfigError, load
from dragoman.config import zone as zone_module
from dragoman.config.zone import machine_zone


def test_tz_names_the_zone() -> None:
    assert machine_zone({"TZ": "Asia/Tokyo"}) == "Asia/Tokyo"
    assert machine_zone({"TZ": ":Europe/Paris"}) == "Europe/Paris"


def test_without_tz_the_link_of_localtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "zoneinfo" / "America" / "New_York"
    target.parent.mkdir(parents=True)
    target.write_text("")
    link = tmp_path / "localtime"
    link.symlink_to(target)
    monkeypatch.setattr(zone_module, "LOCALTIME", link)
    assert machine_zone({"TZ": "Not/AZone"}) == "America/New_York"


def test_nothing_known_is_utc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zone_module, "LOCALTIME", tmp_path / "none")
    monkeypatch.setattr(zone_module, "TIMEZONE_FILE", tmp_path / "none")
    assert machine_zone({}) == "UTC"


def test_the_config_names_a_zone_or_is_refused() -> None:
    assert load(overrides={"time_zone": "Europe/Paris"}).time_zone == "Europe/Paris"
    with pytest.raises(ConfigError, match="'Mars/Olympus' is not a time zone name"):
        load(overrides={"time_zone": "Mars/Olympus"})


def test_admin_limits_take_the_key_options() -> None:
    settings = load(overrides={"admin_limits": {"budget": "50usd/month", "rpm": 600}})
    assert settings.admin_limits == {"budget": "50usd/month", "rpm": 600}
    with pytest.raises(ConfigError, match="'models' is not an admin limit"):
        load(overrides={"admin_limits": {"models": "x"}})
    with pytest.raises(ConfigError, match="--budget '50eur/month'"):
        load(overrides={"admin_limits": {"budget": "50eur/month"}})
