"""Traces end to end: a real dragoman in front of fake upstreams; each request's trace
read back through `/v1/traces`, as the CLI and dashboard read it."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import orjson
import pytest

from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import Usage
from tests.gateway import serve_gateway
from tests.server.test_pooling import ANTHROPIC, OPUS, pool

CLAUDE_CODE = {**ANTHROPIC, "user-agent": "claude-cli/2.1.329 (external, sdk-cli)"}


def claude_code(url: str, model: str = OPUS) -> httpx.Response:
    body = {"model": model, "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}
    return httpx.post(url + "/v1/messages", json=body, headers=CLAUDE_CODE, timeout=10)


def traces(url: str, **params: Any) -> dict[str, Any]:
    answer = httpx.get(url + "/v1/traces", params=params, timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_failover_is_traced_with_each_attempt_and_the_usage(fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(
        Reply(error=Failure(529, "overloaded")),
        Reply(text="hello", usage=Usage(input=120, output=7, cached=100)),
    )
    with serve_gateway(fakes, providers=pool(fakes.anthropic, ["first", "second"], [OPUS])) as url:
        answer = claude_code(url)
        assert answer.status_code == 200
        [trace] = traces(url)["traces"]
    assert trace["id"] == answer.headers["x-request-id"]
    assert (trace["client"], trace["dialect"], trace["route"]) == (
        "claude-code",
        "anthropic",
        "POST /v1/messages",
    )
    assert (trace["model"], trace["account"], trace["provider"]) == (OPUS, "second", "openai_compatible")
    assert trace["reason"].startswith("failover from first")
    first, second = trace["attempts"]
    assert (first["account"], first["status"], first["fail_over"]) == ("first", 529, True)
    assert first["error"] and first["cooldown"]
    assert (second["account"], second["status"], second["error"]) == ("second", 200, None)
    assert second["url"].startswith(fakes.anthropic.base_url)
    assert trace["usage"] == {
        "input_uncached": 20, "cache_read": 100, "cache_write": 0, "cache_write_1h": 0, "output": 7,
        "reasoning": 0, "input": 120, "total": 127,
    }  # fmt: skip
    assert 0 < trace["ttfb_ms"] <= trace["duration_ms"]
    assert trace["status"] == 200 and trace["bytes_in"] > 0 and trace["bytes_out"] > 0
    # claude-opus-4-5 at $5 / $25, cache reads $0.50: 20 x 5 + 100 x 0.5 + 7 x 25 per million.
    assert trace["cost"] == pytest.approx(325e-6)
    assert trace["cost_detail"]["priced_as"] == OPUS


def test_a_stream_is_traced_with_how_it_ended(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="streamed", usage=Usage(input=30, output=4), chunk_delay=0.05))
    with serve_gateway(fakes) as url:
        body = {"model": "gpt-4.1", "stream": True, "stream_options": {"include_usage": True},
                "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
        answer = httpx.post(url + "/v1/chat/completions", json=body, timeout=10)
        assert answer.status_code == 200
        [trace] = traces(url)["traces"]
    assert trace["stream"] is True and trace["ended"] == "ok"
    assert trace["client"] == "httpx"
    assert trace["usage"]["input"] == 30 and trace["usage"]["output"] == 4
    # Priced at API rates (`observe.cost`): an API-key account, so not an estimate.
    detail = trace["cost_detail"]
    assert trace["cost"] == detail["input"] + detail["output"] > 0
    assert trace["cost_estimate"] is False and detail["priced_as"] == "gpt-4.1"
    # The first byte came before the delays between the chunks were over.
    assert trace["ttfb_ms"] < trace["duration_ms"] - 50


def ask_chat(url: str, text: str = "hi", model: str = "gpt-4.1", **headers: str) -> httpx.Response:
    body = {"model": model, "messages": [{"role": "user", "content": text}]}
    return httpx.post(url + "/v1/chat/completions", json=body, headers=headers, timeout=10)


def test_bodies_are_off_by_default(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes) as url:
        trace_id = ask_chat(url).headers["x-request-id"]
        assert httpx.get(f"{url}/v1/traces/{trace_id}", timeout=10).json()["bodies"] is None


def test_all_bodies_are_kept_capped_and_masked(fakes: FakeUpstreams) -> None:
    secret = fakes.openai_chat.key  # a configured secret, pasted into a prompt
    fakes.openai_chat.script(Reply(text="an answer"))
    with serve_gateway(fakes, trace_bodies="all", traces={"body_max_bytes": 1024}) as url:
        trace_id = ask_chat(url, f"my key is {secret} " + "x" * 2000).headers["x-request-id"]
        bodies = httpx.get(f"{url}/v1/traces/{trace_id}", timeout=10).json()["bodies"]
        listed = traces(url)["traces"][0]
    assert listed["bodies"] is None  # a listing leaves them out
    assert "my key is ***" in bodies["client_request"]
    assert "truncated by dragoman" in bodies["client_request"]
    [upstream] = bodies["upstream"]
    assert '"model":"gpt-4.1"' in upstream["request"] and "***" in upstream["request"]
    assert "an answer" in upstream["answer"]
    assert secret not in str(bodies)


def test_errors_keeps_the_bodies_of_failed_requests_only(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="fine"), Reply(error=Failure(400, "bad request here")))
    with serve_gateway(fakes, trace_bodies="errors") as url:
        ok = ask_chat(url).headers["x-request-id"]
        bad = ask_chat(url).headers["x-request-id"]
        kept = {
            trace_id: httpx.get(f"{url}/v1/traces/{trace_id}", timeout=10).json() for trace_id in (ok, bad)
        }
    assert kept[ok]["bodies"] is None
    assert kept[bad]["status"] == 400
    assert "bad request here" in kept[bad]["bodies"]["upstream"][0]["answer"]


def test_filters_text_and_pages(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(*(Reply(text="ok") for _ in range(4)), Reply(error=Failure(400, "no")))
    with serve_gateway(fakes) as url:
        ids = [ask_chat(url).headers["x-request-id"] for _ in range(5)]
        ask_chat(url, model="gpt-5")
        first = traces(url, model="gpt-4.1", limit=2)
        second = traces(url, model="gpt-4.1", limit=2, cursor=first["next"])
        third = traces(url, model="gpt-4.1", limit=2, cursor=second["next"])
        assert [t["id"] for t in first["traces"] + second["traces"] + third["traces"]] == ids[::-1]
        assert third["next"] is None
        assert [t["id"] for t in traces(url, status="error")["traces"]] == [ids[-1]]
        assert [t["id"] for t in traces(url, status=400)["traces"]] == [ids[-1]]
        assert len(traces(url, status="ok")["traces"]) == 5
        assert [t["model"] for t in traces(url, q="GPT-5")["traces"]] == ["gpt-5"]
        assert len(traces(url, account="up_openai_chat")["traces"]) == 5
        assert len(traces(url, provider="openai_compatible")["traces"]) == 6
        assert traces(url, since="1h")["traces"] and not traces(url, until="1h")["traces"]
        assert not traces(url, since=time.time() + 60)["traces"]


def test_bad_parameters_and_unknown_traces_are_clear_json_errors(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes) as url:
        bad = httpx.get(url + "/v1/traces", params={"limit": 0, "since": "yesterday", "colour": "red"})
        unknown = httpx.get(url + "/v1/traces/nope")
        usage = httpx.get(url + "/v1/usage", params={"group_by": "day,planet"})
    assert bad.status_code == 400
    message = bad.json()["error"]["message"]
    assert "limit" in message and "since: a time is an age" in message and "colour: not a known" in message
    assert unknown.status_code == 404 and "no trace 'nope'" in unknown.json()["error"]["message"]
    assert usage.status_code == 400 and "group_by" in usage.json()["error"]["message"]


def test_the_routes_are_behind_the_local_key(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, api_keys=["local-key-123456"]) as url:
        for path in ("/v1/traces", "/v1/traces/x", "/v1/usage", "/v1/traces/stream"):
            assert httpx.get(url + path, timeout=10).status_code == 401
        allowed = httpx.get(url + "/v1/traces", headers={"authorization": "Bearer local-key-123456"})
        assert allowed.status_code == 200


def test_each_trace_and_ledger_row_names_the_key_that_sent_it(fakes: FakeUpstreams) -> None:
    keys = ["first-key-1234567", "second-key-7654321"]
    with serve_gateway(fakes, api_keys=keys) as url:
        admin = {"authorization": f"Bearer {keys[0]}"}
        for key in keys:
            sent = ask_chat(url, authorization=f"Bearer {key}")
            assert sent.status_code == 200, sent.text
        listed = httpx.get(url + "/v1/traces", headers=admin).json()["traces"]
        usage = httpx.get(url + "/v1/usage", params={"group_by": "key"}, headers=admin).json()["usage"]
    assert [trace["key"] for trace in listed] == ["key2", "key1"]
    assert sorted((row["key"], row["requests"]) for row in usage) == [("key1", 1), ("key2", 1)]


def test_memory_only_traces_answer_from_the_ring(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, traces={"database": False, "ring": 2}) as url:
        ids = [ask_chat(url).headers["x-request-id"] for _ in range(3)]
        assert [t["id"] for t in traces(url)["traces"]] == ids[:0:-1]
        assert httpx.get(f"{url}/v1/traces/{ids[0]}").status_code == 404  # out of the ring
        [usage] = httpx.get(url + "/v1/usage", params={"group_by": "model"}).json()["usage"]
    assert usage.pop("cost") > 0
    assert usage == {"model": "gpt-4.1", "requests": 2, "errors": 0, "input_uncached": 20, "cache_read": 0,
                     "cache_write": 0, "output": 10, "reasoning": 0, "unpriced": 0, "baseline_cost": None,
                     "compared_cost": None}  # fmt: skip


def test_tracing_can_be_turned_off(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, traces={"enabled": False}) as url:
        assert ask_chat(url).status_code == 200
        off = httpx.get(url + "/v1/traces")
    assert off.status_code == 404 and "tracing is off" in off.json()["error"]["message"]


def read_events(url: str, wanted: int, ready: threading.Event, seen: list[dict[str, Any]]) -> None:
    with httpx.stream("GET", url + "/v1/traces/stream", timeout=10) as answer:
        assert answer.headers["content-type"].startswith("text/event-stream")
        ready.set()
        event = ""
        for line in answer.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                seen.append({"event": event, **orjson.loads(line.removeprefix("data: "))})
                if len(seen) >= wanted:
                    return


def test_the_stream_shows_each_request_as_it_ends(fakes: FakeUpstreams) -> None:
    seen: list[dict[str, Any]] = []
    ready = threading.Event()
    with serve_gateway(fakes) as url:
        reader = threading.Thread(target=read_events, args=(url, 2, ready, seen))
        reader.start()
        assert ready.wait(10)
        time.sleep(0.1)  # the subscription is made as the headers go out
        sent = time.monotonic()
        ids = [ask_chat(url).headers["x-request-id"] for _ in range(2)]
        reader.join(10)
        elapsed = time.monotonic() - sent
    assert [event["id"] for event in seen] == ids
    assert all(event["event"] == "trace" and event["status"] == 200 for event in seen)
    assert "bodies" not in seen[0] and seen[0]["usage"]["output"] == 5
    assert elapsed < 1.5


async def test_a_viewer_that_reads_nothing_loses_the_oldest_and_is_told() -> None:
    from dragoman.server.admin.traces import _events
    from dragoman.state.memory.feed import LocalFeed

    feed = LocalFeed()
    subscription = feed.subscribe(backlog=2)
    for n in range(5):  # published while the viewer reads nothing: never waits
        feed.publish({"id": str(n)})
    events = _events(subscription)
    assert await anext(events) == b": dragoman traces\n\n"
    # What waits goes out in one chunk, after the count of what was lost.
    assert await anext(events) == (
        b'event: dropped\ndata: {"dropped":3}\n\n'
        b'event: trace\ndata: {"id":"3"}\n\nevent: trace\ndata: {"id":"4"}\n\n'
    )
    await events.aclose()
    assert not feed.listening


def test_a_database_a_newer_dragoman_upgraded_is_a_503_saying_so(fakes: FakeUpstreams) -> None:
    """Another dragoman beside this one (a newer replica, a `db upgrade`) moved the
    schema on before this process first opened its traces: a listing is a 503 naming
    the problem, not a generic 500 with a traceback in the log."""
    import sqlite3

    from dragoman.store.files import sqlite_file
    from tests.gateway import LIVE

    with serve_gateway(fakes) as url:
        path = sqlite_file(LIVE[-1].settings.effective_database_url)
        assert path is not None and not path.exists()  # made by the first write, which has not come
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            connection.execute("INSERT INTO alembic_version VALUES ('0999')")
        answer = httpx.get(url + "/v1/traces", timeout=10)
    assert answer.status_code == 503, answer.text
    message = answer.json()["error"]["message"]
    assert message.startswith("dragoman's database cannot be used:") and "0999" in message
    assert "internal error" not in message and str(path) not in message
