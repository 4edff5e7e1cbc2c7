"""The xAI fake, one per module, reset before each test; an `openai` client of a gateway
serving it."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.providers.xai.fake import XAIFake, xai_provider


@pytest.fixture(scope="module")
def xai_fake() -> Iterator[XAIFake]:
    fake = XAIFake().start()
    yield fake  # type: ignore[misc]
    fake.stop()


@pytest.fixture
def xai(xai_fake: XAIFake) -> XAIFake:
    xai_fake.reset()
    return xai_fake


@pytest.fixture
def client(fakes: FakeUpstreams, xai: XAIFake) -> Iterator[openai.OpenAI]:
    with (
        serve_gateway(fakes, providers=xai_provider(xai)) as root,
        openai.OpenAI(api_key="unused", base_url=root + "/v1", max_retries=0) as client,
    ):
        yield client
