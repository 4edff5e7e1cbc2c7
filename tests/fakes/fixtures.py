"""Pytest fixtures: one running fake per dialect for the whole session, reset before each test.

Enable with `pytest_plugins = ["tests.fakes.fixtures"]` in tests/conftest.py.

    def test_x(fakes):                      # all four: fakes.anthropic, fakes["gemini"], ...
    def test_y(fake_anthropic):             # one of them
    def test_z(fake_upstream):              # parametrized over the four dialects
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.fakes import FAKES, AnthropicFake, Fake, GeminiFake, OpenAIChatFake, OpenAIResponsesFake


@dataclass(slots=True)
class FakeUpstreams:
    openai_chat: OpenAIChatFake
    openai_responses: OpenAIResponsesFake
    anthropic: AnthropicFake
    gemini: GeminiFake

    @classmethod
    def start(cls) -> FakeUpstreams:
        started: dict[str, Fake] = {}
        try:
            for dialect, factory in FAKES.items():
                started[dialect] = factory().start()
        except BaseException:
            for fake in started.values():
                fake.stop()
            raise
        return cls(**started)  # type: ignore[arg-type]

    def __getitem__(self, dialect: str) -> Fake:
        if dialect not in FAKES:
            raise KeyError(dialect)
        fake: Fake = getattr(self, dialect)
        return fake

    def __iter__(self) -> Iterator[Fake]:
        return iter((self.openai_chat, self.openai_responses, self.anthropic, self.gemini))

    def reset(self) -> None:
        for fake in self:
            fake.reset()

    def stop(self) -> None:
        for fake in self:
            fake.stop()


@pytest.fixture(scope="session")
def fake_upstreams_session() -> Iterator[FakeUpstreams]:
    upstreams = FakeUpstreams.start()
    yield upstreams
    upstreams.stop()


@pytest.fixture
def fakes(fake_upstreams_session: FakeUpstreams) -> Iterator[FakeUpstreams]:
    """All four fakes, with empty scripts and records; the gateways kept across tests
    forget what their pools learned from them. Reset again after the test: a key or
    model list it changed must not reach the next module's gateway, built (module
    scope) before that module's first test resets the fakes."""
    from tests.gateway import forget_pool_state

    fake_upstreams_session.reset()
    forget_pool_state()
    yield fake_upstreams_session
    fake_upstreams_session.reset()


@pytest.fixture
def fake_openai_chat(fakes: FakeUpstreams) -> OpenAIChatFake:
    return fakes.openai_chat


@pytest.fixture
def fake_openai_responses(fakes: FakeUpstreams) -> OpenAIResponsesFake:
    return fakes.openai_responses


@pytest.fixture
def fake_anthropic(fakes: FakeUpstreams) -> AnthropicFake:
    return fakes.anthropic


@pytest.fixture
def fake_gemini(fakes: FakeUpstreams) -> GeminiFake:
    return fakes.gemini


@pytest.fixture(params=sorted(FAKES))
def fake_upstream(fakes: FakeUpstreams, request: pytest.FixtureRequest) -> Fake:
    """Each dialect's fake in turn."""
    return fakes[request.param]
