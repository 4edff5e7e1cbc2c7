"""The matrix: every client dialect's official SDK, through one running dragoman, to every
upstream dialect's fake. The gateway and the SDK clients live for the session; the fakes
are reset before each test by the `fakes` fixture."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest
from google import genai
from google.genai import types

from tests.conformance.clients import DRIVERS, Conversation
from tests.conformance.scenario import DIALECTS
from tests.conformance.upstreams import VIEWS, View
from tests.fakes import Fake
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF, serve_gateway

# dragoman accepts any key when none is configured; the SDKs insist on having one.
CLIENT_KEY = "conformance-key"


@pytest.fixture(scope="session")
def gateway(fake_upstreams_session: FakeUpstreams, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A dragoman's root URL, with a private home and no DRAGOMAN_* from the machine."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("DRAGOMAN_"):
                patch.delenv(name)
        patch.setenv("DRAGOMAN_HOME", str(tmp_path_factory.mktemp("dragoman-home")))
        with serve_gateway(fake_upstreams_session) as root:
            yield root


@pytest.fixture(scope="session")
def sdks(gateway: str) -> Iterator[dict[str, Any]]:
    """One SDK client per client dialect, retries off so every error reaches the test."""
    oai = openai.OpenAI(api_key=CLIENT_KEY, base_url=gateway + "/v1", max_retries=0)
    claude = anthropic.Anthropic(api_key=CLIENT_KEY, base_url=gateway, max_retries=0)
    google = genai.Client(
        api_key=CLIENT_KEY,
        http_options=types.HttpOptions(
            base_url=gateway, api_version="v1beta", retry_options=types.HttpRetryOptions(attempts=1)
        ),
    )
    yield {"openai_chat": oai, "openai_responses": oai, "anthropic": claude, "gemini": google}
    oai.close()
    claude.close()
    google.close()


PAIRS = [(client, upstream) for client in DIALECTS for upstream in DIALECTS]


@pytest.fixture(params=PAIRS, ids=[f"{client}>{upstream}" for client, upstream in PAIRS])
def pair(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(client dialect, upstream dialect); test ids read `client>upstream`."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def client_dialect(pair: tuple[str, str]) -> str:
    return pair[0]


@pytest.fixture
def upstream_dialect(pair: tuple[str, str]) -> str:
    return pair[1]


@pytest.fixture(params=[False, True], ids=["whole", "stream"])
def stream(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def upstream(fakes: FakeUpstreams, upstream_dialect: str) -> Fake:
    return fakes[upstream_dialect]


@pytest.fixture
def view(upstream_dialect: str) -> View:
    return VIEWS[upstream_dialect]


@pytest.fixture
def talk(
    sdks: dict[str, Any], client_dialect: str, upstream_dialect: str, stream: bool, fakes: FakeUpstreams
) -> Conversation:
    """A fresh conversation in the client's SDK, addressed to the upstream's model."""
    return DRIVERS[client_dialect](sdks[client_dialect], MODEL_OF[upstream_dialect], stream)
