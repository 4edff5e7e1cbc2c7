"""`[pools]` and the per-provider pool fields, from config.toml to each Upstream."""

from __future__ import annotations

from pathlib import Path

import pytest

from dragoman.config import ConfigError, load
from dragoman.pools.settings import AccountPolicy
from dragoman.providers.upstream import build_upstreams

PROVIDER = {"kind": "openai_compatible", "base_url": "http://127.0.0.1:9/v1", "models": ["m"]}


def test_pools_table_from_config_toml(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[pools]\nstrategy = "round-robin"\nquota_reserve_percent = 95\nsession_ttl = "90m"\n'
        '[pools.models."gpt-5*"]\nstrategy = "headroom"\n'
    )
    pools = load(config=path).pools
    assert (pools.strategy, pools.quota_reserve_percent, pools.session_ttl) == ("round-robin", 95, 5400)
    assert pools.strategy_for("gpt-5.5") == "headroom"
    assert pools.strategy_for("claude-opus-4-5") == "round-robin"


def test_pools_default_to_fill_first_and_an_hour() -> None:
    pools = load(overrides={}).pools
    assert (pools.strategy, pools.session_ttl, pools.quota_reserve_percent) == ("fill-first", 3600, 100)


@pytest.mark.parametrize(
    "pools",
    [{"strategy": "random"}, {"session_ttl": "soon"}, {"quota_reserve_percent": 120}, {"stratgy": "x"}],
)
def test_a_bad_pools_table_is_refused_naming_it(pools: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="pools"):
        load(overrides={"pools": pools})


def test_provider_pool_fields_reach_its_upstream() -> None:
    providers = {
        "a": {**PROVIDER, "priority": 2, "weight": 3.5, "max_concurrent": 4, "enabled": False},
        "b": PROVIDER,
    }
    upstreams = build_upstreams(load(overrides={"providers": providers}), environ={})
    assert [u.policy for u in upstreams] == [AccountPolicy(2, 3.5, 4, False), AccountPolicy()]


@pytest.mark.parametrize("field", [{"weight": 0}, {"max_concurrent": 0}, {"priority": -1}, {"weight": "inf"}])
def test_bad_provider_pool_fields_are_refused(field: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match=f"providers.a.{next(iter(field))}"):
        load(overrides={"providers": {"a": {**PROVIDER, **field}}})
