"""The net that catches an agent leaving the machine: every run checks it caught nothing
(`Runner.run`); here, that it does catch what reaches it, and that what it reports
is where the attempt was going."""

from __future__ import annotations

from contextlib import suppress

import httpx

from tests.clients.proxy import RecordingProxy


def test_the_recording_proxy_catches_an_attempt_to_leave() -> None:
    proxy = RecordingProxy().start()
    try:
        with httpx.Client(proxy=proxy.url, timeout=5) as client:
            for url in ("https://api.anthropic.com/api/hello", "http://example.com/telemetry"):
                with suppress(httpx.HTTPError):  # refused, as it should be
                    client.get(url)
    finally:
        proxy.stop()
    assert proxy.attempts == [
        "CONNECT api.anthropic.com:443 HTTP/1.1",
        "GET http://example.com/telemetry HTTP/1.1",
    ]
