"""One model list, answered in the shape of whoever asks, read by the official SDKs."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import httpx
import openai
import pytest
from google import genai
from google.genai import types

from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import providers_for, serve_gateway

ALIAS = "claude-sonnet-4-5"


@pytest.fixture(scope="module")
def gateway(fake_upstreams_session: FakeUpstreams) -> Iterator[str]:
    providers = providers_for(fake_upstreams_session)
    for provider in providers.values():
        provider["models"] = provider["models"][:1]
    with serve_gateway(
        fake_upstreams_session, providers=providers, models={"aliases": {ALIAS: "gpt-4.1"}}
    ) as url:
        yield url


# `auto` is listed too: with no [auto] section its tiers are the priced models served.
EXPECTED = {"gpt-4.1", "gpt-5", "claude-sonnet-4-6", "gemini-2.5-flash", ALIAS, "auto"}


def test_openai_shape(gateway: str) -> None:
    with openai.OpenAI(base_url=gateway + "/v1", api_key="any") as client:
        models = list(client.models.list())
    assert {model.id for model in models} == EXPECTED
    assert {model.owned_by for model in models if model.id == ALIAS} == {"up_openai_chat"}


def test_anthropic_shape(gateway: str) -> None:
    with anthropic.Anthropic(base_url=gateway, api_key="any") as client:
        page = client.models.list()
    assert {model.id for model in page.data} == EXPECTED
    assert all(model.type == "model" for model in page.data)


def test_gemini_shape_on_v1beta_and_on_v1_with_a_gemini_key(gateway: str) -> None:
    for version in ("v1beta", "v1"):
        options = types.HttpOptions(base_url=gateway, api_version=version)
        with genai.Client(api_key="any", http_options=options) as client:
            names = {model.name for model in client.models.list()}
        assert names == {f"models/{model}" for model in EXPECTED}, version


def test_auto_is_listed_with_the_tightest_limits_of_its_tiers(gateway: str) -> None:
    listed = {model["id"]: model for model in httpx.get(gateway + "/v1/models").json()["data"]}
    auto = httpx.get(gateway + "/v1/models/auto", headers={"anthropic-version": "2023-06-01"}).json()
    assert listed["auto"]["owned_by"] == "dragoman"
    assert auto["id"] == "auto" and auto["type"] == "model"


def test_one_model_in_each_shape(gateway: str) -> None:
    assert httpx.get(gateway + "/v1/models/gpt-5").json()["object"] == "model"
    anthropic_one = httpx.get(
        gateway + "/v1/models/gpt-5", headers={"anthropic-version": "2023-06-01"}
    ).json()
    assert anthropic_one["type"] == "model" and anthropic_one["id"] == "gpt-5"
    assert httpx.get(gateway + "/v1beta/models/gpt-5").json()["name"] == "models/gpt-5"
    missing = httpx.get(gateway + "/v1/models/nope")
    assert missing.status_code == 404 and "gpt-5" in missing.json()["error"]["message"]
