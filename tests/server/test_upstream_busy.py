"""A client whose upstream host has every connection busy past the queue time gets a 503
in its own dialect, with retry-after; its account is not judged for it (the limit is
dragoman's own), and the slot it never took is not given back."""

from __future__ import annotations

import asyncio

import httpx

from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF, serve_gateway


async def test_a_full_upstream_host_is_a_503_in_the_clients_dialect(fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(text="slow", delay_before_first_byte=0.6), Reply(text="fine"))
    body = {"model": MODEL_OF["anthropic"], "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]}
    headers = {"anthropic-version": "2023-06-01"}
    with serve_gateway(fakes, upstream_connections_per_host=1, upstream_queue_seconds=0.2) as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            slow = asyncio.create_task(client.post("/v1/messages", json=body, headers=headers))
            await asyncio.sleep(0.2)
            busy = await client.post("/v1/messages", json=body, headers=headers)
            assert (await slow).status_code == 200
            after = await client.post("/v1/messages", json=body, headers=headers)
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "1"
    error = busy.json()
    assert error["type"] == "error"
    assert error["error"]["type"] == "overloaded_error"
    assert "upstream_connections_per_host" in error["error"]["message"]
    assert after.status_code == 200  # the account was not cooled for dragoman's own limit
