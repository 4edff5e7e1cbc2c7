"""`GET /v1/admin/models`: every id a client may ask for, every account serving it in
the order they are tried, its limits, the aliases and the fallback."""

from __future__ import annotations

import httpx

from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.server.test_pooling import pool

LOCAL_KEY = "local-models-key-0b7e"
AUTH = {"authorization": f"Bearer {LOCAL_KEY}"}


def test_models_are_listed_with_who_serves_them_their_limits_and_aliases(fakes: FakeUpstreams) -> None:
    providers = pool(fakes.openai_chat, ["first", "second"], ["m"])
    # A built-in kind knows its models' limits.
    providers["claude"] = {
        "kind": "anthropic",
        "base_url": fakes.anthropic.base_url,
        "api_key": fakes.anthropic.key,
    }
    models = {"aliases": {"fast": "m", "gone": "not-served"}, "fallback": "m"}
    with serve_gateway(fakes, providers=providers, models=models, api_keys=[LOCAL_KEY]) as url:
        answer = httpx.get(f"{url}/v1/admin/models", headers=AUTH, timeout=10)
        refused = httpx.get(f"{url}/v1/admin/models", timeout=10)
    assert answer.status_code == 200 and refused.status_code == 401
    listed = {model["id"]: model for model in answer.json()["models"]}
    ids = list(listed)
    assert ids[0] == "m" and ids[-1] == "fast" and "gone" not in listed
    assert listed["m"]["served_by"] == ["first", "second"] and listed["m"]["alias_of"] is None
    assert listed["m"]["context_window"] is None
    claude = [model for model in listed.values() if model["served_by"] == ["claude"]]
    assert any(model["context_window"] for model in claude)
    assert any(model["max_output_tokens"] for model in claude)
    assert (listed["fast"]["alias_of"], listed["fast"]["served_by"]) == ("m", ["first", "second"])
    assert answer.json()["fallback"] == "m"
