"""Upstream failures: an HTTP error before any byte, and an error after the stream began."""

from __future__ import annotations

import pytest

from tests.conformance.clients import Conversation
from tests.fakes import Failure, Fake, Reply


@pytest.mark.parametrize("status", [429, 500])
def test_an_upstream_http_error_raises_the_sdks_own_exception(
    talk: Conversation, upstream: Fake, status: int
) -> None:
    retry = 7 if status == 429 else None
    upstream.script(Reply(error=Failure(status, "the upstream says no", retry_after=retry)))
    talk.user("Hello?")

    with pytest.raises(Exception) as raised:
        talk.send()

    error = raised.value
    expected = talk.rate_limited if status == 429 else talk.server_error
    assert type(error) is expected, f"{type(error).__name__}: {error}"
    assert talk.status(error) == status
    if status == 429:
        assert talk.retry_after(error) == 7
    assert len(upstream.requests) == 1, "the SDK or the gateway retried"


@pytest.mark.parametrize("stream", [True], ids=["stream"])
@pytest.mark.parametrize("status", [429, 500])
def test_an_error_after_streaming_began_arrives_in_stream(
    talk: Conversation, upstream: Fake, status: int
) -> None:
    failure = Failure(status, "the upstream broke off", mid_stream=True)
    upstream.script(Reply(text="Partial answer", error=failure))
    talk.user("Hello?")

    with pytest.raises(talk.in_stream_error) as raised:
        talk.send()

    # Text came first (the Gemini fake's error takes the place of its last chunk).
    assert talk.partial and "Partial answer".startswith(talk.partial)
    assert "the upstream broke off" in talk.stream_error_text(raised.value)
