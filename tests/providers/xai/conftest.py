"""The xAI fake, one per module, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.providers.xai.fake import XAIFake


@pytest.fixture(scope="module")
def xai_fake() -> Iterator[XAIFake]:
    fake = XAIFake().start()
    yield fake  # type: ignore[misc]
    fake.stop()


@pytest.fixture
def xai(xai_fake: XAIFake) -> XAIFake:
    xai_fake.reset()
    return xai_fake
