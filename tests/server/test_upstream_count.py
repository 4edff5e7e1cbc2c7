"""Token counts through the official SDKs (Anthropic `messages.count_tokens`, Gemini
`models.count_tokens`, OpenAI `responses.input_tokens.count`), for a model of each
upstream dialect: the upstream's own count where it offers one (the fakes answer theirs),
else the offline estimate; `x-dragoman-token-count` says which."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import anthropic
import openai
import pytest
from google import genai
from google.genai import types

from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF, serve_gateway

COUNTING = ["anthropic", "gemini", "openai_responses"]
CLIENTS = ["anthropic", "gemini", "openai_responses"]
PROMPT = "How many tokens is this sentence, counted by the upstream itself?"


@pytest.fixture
def gateway(fakes: FakeUpstreams) -> Iterator[str]:
    with serve_gateway(fakes) as root:
        yield root


def _count(gateway: str, client: str, model: str) -> int:
    """The count a client of dialect `client` gets for PROMPT sent to `model`."""
    if client == "anthropic":
        with anthropic.Anthropic(base_url=gateway, api_key="any", max_retries=0) as sdk:
            messages = [{"role": "user", "content": PROMPT}]
            return sdk.messages.count_tokens(model=model, system="Be brief.", messages=messages).input_tokens  # type: ignore[arg-type]
    if client == "gemini":
        options = types.HttpOptions(base_url=gateway, api_version="v1beta")
        with genai.Client(api_key="any", http_options=options) as sdk:
            total = sdk.models.count_tokens(model=model, contents=PROMPT).total_tokens
            assert total is not None
            return total
    with openai.OpenAI(base_url=gateway + "/v1", api_key="any", max_retries=0) as sdk:
        counted = sdk.responses.input_tokens.count(model=model, input=PROMPT, instructions="Be brief.")
        return counted.input_tokens


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("upstream", COUNTING)
def test_the_upstreams_own_count_reaches_every_client(
    gateway: str, fakes: FakeUpstreams, client: str, upstream: str
) -> None:
    fake = fakes[upstream]
    fake.count_tokens_result = 1000 + secrets.randbelow(9000)
    assert _count(gateway, client, MODEL_OF[upstream]) == fake.count_tokens_result
    asked = fake.last
    assert asked.path.endswith(("/messages/count_tokens", ":countTokens", "/responses/input_tokens"))
    assert PROMPT in asked.body.decode()


@pytest.mark.parametrize("upstream", COUNTING)
def test_the_fakes_own_measure_of_the_prompt_comes_back(
    gateway: str, fakes: FakeUpstreams, upstream: str
) -> None:
    counted = _count(gateway, "openai_responses", MODEL_OF[upstream])
    fake = fakes[upstream]
    fake.count_tokens_result = None
    assert counted == fake.token_count(fake.last_json)


def test_an_upstream_without_a_count_gets_the_estimate_and_no_request(
    gateway: str, fakes: FakeUpstreams
) -> None:
    before = len(fakes["openai_chat"].requests)
    with openai.OpenAI(base_url=gateway + "/v1", api_key="any", max_retries=0) as sdk:
        raw = sdk.responses.input_tokens.with_raw_response.count(model=MODEL_OF["openai_chat"], input=PROMPT)
    assert raw.headers["x-dragoman-token-count"] == "estimate"
    assert raw.parse().input_tokens > 0
    assert len(fakes["openai_chat"].requests) == before


def test_a_counting_upstreams_answer_is_marked_as_its_own(gateway: str) -> None:
    with openai.OpenAI(base_url=gateway + "/v1", api_key="any", max_retries=0) as sdk:
        raw = sdk.responses.input_tokens.with_raw_response.count(model=MODEL_OF["anthropic"], input=PROMPT)
    assert raw.headers["x-dragoman-token-count"] == "upstream"


def test_a_refused_count_falls_back_to_the_estimate(gateway: str, fakes: FakeUpstreams) -> None:
    fakes["anthropic"].key = "another-key"  # the count is refused (401): the estimate answers
    with anthropic.Anthropic(base_url=gateway, api_key="any", max_retries=0) as sdk:
        raw = sdk.messages.with_raw_response.count_tokens(
            model=MODEL_OF["anthropic"], messages=[{"role": "user", "content": PROMPT}]
        )
    assert raw.headers["x-dragoman-token-count"] == "estimate" and raw.parse().input_tokens > 0
