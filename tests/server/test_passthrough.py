"""Native pass-through `/{provider}/{path}`: bytes untouched both ways, the local key swapped for
the stored credential, and dragoman's own endpoints never shadowed."""

from __future__ import annotations

import gzip
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from dragoman.server.passthrough import upstream_url
from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.server import FakeServer
from tests.gateway import MODEL_OF, providers_for, serve_gateway

LOCAL_KEY = "local-key-for-dragoman-0042"
MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture
def gateway(fakes: FakeUpstreams) -> Iterator[str]:
    with serve_gateway(fakes, api_keys=[LOCAL_KEY]) as url:
        yield url


# -- a scripted echo upstream, for what the fakes do not serve (PUT, gzip, odd paths) -----------


@dataclass
class Echo:
    """Records each request raw and answers `status` with `chunks` and `headers`."""

    status: int = 200
    chunks: list[bytes] = field(default_factory=lambda: [b"ok"])
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    seen: list[dict[str, Any]] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.seen.append(
            {
                "method": scope["method"],
                "raw_path": scope["raw_path"],
                "query": scope["query_string"],
                "headers": [(k.decode(), v.decode()) for k, v in scope["headers"]],
                "body": body,
            }
        )
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        for chunk in self.chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    def to(self, raw_path: bytes) -> dict[str, Any]:
        """The last request received for this path."""
        return [seen for seen in self.seen if seen["raw_path"] == raw_path][-1]


@pytest.fixture
def echo(fakes: FakeUpstreams) -> Iterator[tuple[Echo, str]]:
    """An echo upstream named `echo` (base URL .../v1) behind a running dragoman."""
    app = Echo()
    with FakeServer(app) as server:
        providers = {
            **providers_for(fakes),
            "echo": {
                "kind": "openai_compatible",
                "base_url": server.url + "/v1",
                "api_key": "echo-secret-key",
            },
        }
        with serve_gateway(fakes, api_keys=[LOCAL_KEY], providers=providers) as url:
            yield app, url


# -- the URL rule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "path", "expected"),
    [
        ("https://api.anthropic.com/v1", "v1/messages", "https://api.anthropic.com/v1/messages"),
        ("https://api.openai.com/v1", "v1/responses", "https://api.openai.com/v1/responses"),
        ("https://api.openai.com/v1", "files", "https://api.openai.com/v1/files"),
        (
            "https://g.example/v1beta",
            "v1beta/models/x:generateContent",
            "https://g.example/v1beta/models/x:generateContent",
        ),
        (
            "https://g.example/v1internal",
            "v1internal:streamGenerateContent",
            "https://g.example/v1internal:streamGenerateContent",
        ),
        ("https://g.example/v1beta", "v1/models", "https://g.example/v1beta/v1/models"),
        ("https://api.deepseek.com", "v1/chat/completions", "https://api.deepseek.com/v1/chat/completions"),
        ("https://x.example/openai", "openai/v1", "https://x.example/openai/openai/v1"),
        ("https://x.example/v1", "v1", "https://x.example/v1"),
    ],
)
def test_a_version_segment_is_not_repeated(base: str, path: str, expected: str) -> None:
    assert upstream_url(base, path) == expected
    assert upstream_url(base, path, "a=1&b=2") == expected + "?a=1&b=2"


# -- bytes untouched -----------------------------------------------------------------------------


def native_request(fakes: FakeUpstreams, dialect: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """(path under the API base, auth headers, body) of a streamed request in `dialect`'s own API."""
    key = fakes[dialect].key
    bearer = {"authorization": f"Bearer {key}"}
    model = MODEL_OF[dialect]
    return {
        "anthropic": (
            "/messages",
            {"x-api-key": key, "anthropic-version": "2023-06-01"},
            {"model": model, "max_tokens": 10, "stream": True, "messages": MESSAGES},
        ),
        "openai_chat": ("/chat/completions", bearer, {"model": model, "stream": True, "messages": MESSAGES}),
        "openai_responses": ("/responses", bearer, {"model": model, "stream": True, "input": "hi"}),
        "gemini": (
            f"/models/{model}:streamGenerateContent?alt=sse",
            {"x-goog-api-key": key},
            {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
        ),
    }[dialect]


# The fakes mint fresh ids, timestamps, signatures and padding per answer; everything else
# (framing, field order, whitespace, text) must match to the byte.
_FRESH = re.compile(
    rb'"(\w*(?:id|Id|ignature)|created|created_at|obfuscation|encrypted_content)":("[^"]*"|\d+)'
)


def stable(raw: bytes) -> bytes:
    return _FRESH.sub(rb'"\1":_', raw)


def read_stream(url: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[httpx.Response, bytes]:
    with httpx.stream("POST", url, json=body, headers=headers) as response:
        return response, b"".join(response.iter_raw())


@pytest.mark.parametrize("dialect", ["anthropic", "openai_chat", "openai_responses", "gemini"])
def test_a_streamed_answer_arrives_as_the_upstream_sent_it(
    gateway: str, fakes: FakeUpstreams, dialect: str
) -> None:
    fake = fakes[dialect]
    path, auth, body = native_request(fakes, dialect)
    reply = Reply(text="one two three four", thinking="hmm", chunks=4)
    fake.script(reply, reply)
    direct, direct_raw = read_stream(fake.base_url + path, auth, body)
    version = fake.base_url.rsplit("/", 1)[1]
    local = {name: value for name, value in auth.items() if name == "anthropic-version"}
    through, through_raw = read_stream(
        f"{gateway}/up_{dialect}/{version}{path}", {**local, "x-api-key": LOCAL_KEY}, body
    )
    assert through.status_code == direct.status_code == 200
    assert through.headers["content-type"] == direct.headers["content-type"]
    assert len(through_raw) == len(direct_raw)
    assert stable(through_raw) == stable(direct_raw)
    assert fake.requests[0].json == fake.requests[1].json


def test_chunks_are_flushed_as_they_arrive(echo: tuple[Echo, str]) -> None:
    app, url = echo
    app.chunks = [b"data: 1\n\n", b"data: 2\n\n", b"data: 3\n\n"]
    app.headers = [(b"content-type", b"text/event-stream")]
    with httpx.stream("GET", url + "/echo/v1/events", headers={"x-api-key": LOCAL_KEY}) as response:
        received = list(response.iter_raw())
    assert b"".join(received) == b"data: 1\n\ndata: 2\n\ndata: 3\n\n"


def test_a_compressed_answer_is_passed_on_compressed(echo: tuple[Echo, str]) -> None:
    app, url = echo
    packed = gzip.compress(b'{"data": "' + b"x" * 4000 + b'"}')
    app.chunks = [packed[:100], packed[100:]]
    app.headers = [(b"content-type", b"application/json"), (b"content-encoding", b"gzip")]
    headers = {"x-api-key": LOCAL_KEY, "accept-encoding": "gzip"}
    with httpx.stream("GET", url + "/echo/v1/files/1/content", headers=headers) as response:
        raw = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip"
    assert raw == packed
    assert ("accept-encoding", "gzip") in app.to(b"/v1/files/1/content")["headers"]


def test_identity_is_asked_for_when_the_client_names_no_encoding(echo: tuple[Echo, str]) -> None:
    app, url = echo
    with httpx.Client() as client:
        request = client.build_request("GET", url + "/echo/v1/x", headers={"x-api-key": LOCAL_KEY})
        del request.headers["accept-encoding"]
        client.send(request)
    assert dict(app.to(b"/v1/x")["headers"])["accept-encoding"] == "identity"


# -- what the upstream receives ------------------------------------------------------------------


def test_the_stored_credential_replaces_the_local_key(gateway: str, fakes: FakeUpstreams) -> None:
    headers = {
        "authorization": f"Bearer {LOCAL_KEY}",
        "anthropic-version": "2023-01-01",
        "anthropic-beta": "interleaved-thinking-2025-05-14",
    }
    body = {"model": MODEL_OF["anthropic"], "max_tokens": 10, "messages": MESSAGES}
    response = httpx.post(gateway + "/up_anthropic/v1/messages", json=body, headers=headers)
    assert response.status_code == 200, response.text
    seen = fakes.anthropic.last
    assert seen.path == "/v1/messages"
    assert seen.header("x-api-key") == fakes.anthropic.key
    assert seen.header("authorization") is None
    assert seen.header("anthropic-version") == "2023-01-01"  # the client's own version wins
    assert seen.header("anthropic-beta") == "interleaved-thinking-2025-05-14"
    assert LOCAL_KEY not in str(seen.headers)


def test_a_gemini_key_parameter_is_removed_and_the_rest_kept(gateway: str, fakes: FakeUpstreams) -> None:
    model = MODEL_OF["gemini"]
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    url = f"{gateway}/up_gemini/v1beta/models/{model}:streamGenerateContent?alt=sse&key={LOCAL_KEY}"
    response = httpx.post(url, json=body)
    assert response.status_code == 200, response.text
    seen = fakes.gemini.last
    assert seen.path == f"/v1beta/models/{model}:streamGenerateContent"
    assert seen.query == {"alt": "sse"}
    assert seen.header("x-goog-api-key") == fakes.gemini.key
    assert LOCAL_KEY not in str(seen.headers)


# How each upstream dialect's provider is sent its own key.
OWN_CREDENTIAL = {
    "openai_chat": "authorization",
    "openai_responses": "authorization",
    "anthropic": "x-api-key",
    "gemini": "x-goog-api-key",
}
CLIENT_CREDENTIALS = ("authorization", "x-api-key", "x-goog-api-key", "x-dragoman-key")


@pytest.mark.parametrize("dialect", list(OWN_CREDENTIAL))
def test_every_local_credential_is_removed_and_only_the_providers_own_sent(
    gateway: str, fakes: FakeUpstreams, dialect: str
) -> None:
    """The client's local key goes in every place a client may put one, at once (a Claude
    Code talking to an OpenAI upstream sends x-api-key, say): none of it reaches the
    upstream, which gets its own key in its own header only."""
    fake = fakes[dialect]
    version = fake.base_url.rsplit("/", 1)[1]
    headers = {name: LOCAL_KEY for name in CLIENT_CREDENTIALS}
    headers["authorization"] = f"Bearer {LOCAL_KEY}"
    headers["anthropic-version"] = "2023-06-01"
    response = httpx.get(f"{gateway}/up_{dialect}/{version}/models?key={LOCAL_KEY}&page=2", headers=headers)
    assert response.status_code == 200, response.text
    seen = fake.last
    own = OWN_CREDENTIAL[dialect]
    expected = f"Bearer {fake.key}" if own == "authorization" else fake.key
    assert seen.header(own) == expected
    assert [name for name in CLIENT_CREDENTIALS if seen.header(name) is not None] == [own]
    assert seen.query == {"page": "2"}
    assert LOCAL_KEY not in str(seen.headers) + str(seen.query)


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_method_path_query_and_body_are_kept(echo: tuple[Echo, str], method: str) -> None:
    app, url = echo
    content = b"" if method in ("GET", "DELETE") else b'{"purpose": "batch"}'
    response = httpx.request(
        method,
        url + "/echo/v1/files/a%2Fb:c?b=2&a=1&key=" + LOCAL_KEY + "&a=%20x",
        content=content,
        headers={
            "x-goog-api-key": LOCAL_KEY,
            "x-custom": "kept",
            "connection": "keep-alive, x-drop",
            "x-drop": "1",
        },
    )
    assert response.status_code == 200
    assert response.content == b"ok"
    seen = app.to(b"/v1/files/a%2Fb:c")
    headers = dict(seen["headers"])
    assert (seen["method"], seen["raw_path"], seen["query"]) == (
        method,
        b"/v1/files/a%2Fb:c",
        b"b=2&a=1&a=%20x",
    )
    assert seen["body"] == content
    assert headers["authorization"] == "Bearer echo-secret-key"
    assert headers["x-custom"] == "kept"
    assert "x-goog-api-key" not in headers
    assert "x-drop" not in headers  # named in Connection: hop-by-hop
    assert LOCAL_KEY not in str(seen)


def test_a_streamed_upload_is_passed_on(echo: tuple[Echo, str]) -> None:
    app, url = echo

    def pieces() -> Iterator[bytes]:
        yield b"part one, "
        yield b"part two"

    response = httpx.post(url + "/echo/v1/uploads", content=pieces(), headers={"x-api-key": LOCAL_KEY})
    assert response.status_code == 200
    assert app.to(b"/v1/uploads")["body"] == b"part one, part two"


# -- what the client receives --------------------------------------------------------------------


def test_upstream_error_statuses_come_back_as_sent(gateway: str, fakes: FakeUpstreams) -> None:
    failure = Reply(error=Failure(429, "slow down", retry_after=7))
    fakes.anthropic.script(failure, failure)
    body = {"model": MODEL_OF["anthropic"], "max_tokens": 10, "messages": MESSAGES}
    direct = httpx.post(
        fakes.anthropic.base_url + "/messages",
        json=body,
        headers={"x-api-key": fakes.anthropic.key, "anthropic-version": "2023-06-01"},
    )
    through = httpx.post(
        gateway + "/up_anthropic/v1/messages",
        json=body,
        headers={"x-api-key": LOCAL_KEY, "anthropic-version": "2023-06-01"},
    )
    assert through.status_code == direct.status_code == 429
    assert through.headers["retry-after"] == "7"
    assert stable(through.content) == stable(direct.content)


def test_an_upstream_rejection_of_the_request_is_passed_on(gateway: str, fakes: FakeUpstreams) -> None:
    response = httpx.post(
        gateway + "/up_openai_chat/v1/chat/completions",
        json={"model": "gpt-4.1"},  # no messages: the fake refuses it as OpenAI does
        headers={"authorization": f"Bearer {LOCAL_KEY}"},
    )
    assert response.status_code == 400
    assert "messages" in response.json()["error"]["message"]
    assert fakes.openai_chat.last.json == {"model": "gpt-4.1"}


def test_an_upstream_error_answer_quoting_the_provider_key_is_masked(echo: tuple[Echo, str]) -> None:
    """The client holds the local key only: the provider's key, echoed by its own error
    answer, must not reach it (a success answer's bytes are passed on untouched)."""
    app, url = echo
    app.status = 401
    app.chunks = [b'{"error": {"message": "key rejected: echo-sec', b'ret-key"}}']
    size = str(len(b"".join(app.chunks))).encode()
    app.headers = [(b"content-type", b"application/json"), (b"content-length", size)]
    response = httpx.get(url + "/echo/v1/models", headers={"x-api-key": LOCAL_KEY})
    assert response.status_code == 401
    assert response.json() == {"error": {"message": "key rejected: ***"}}
    assert "echo-secret-key" not in response.text


def test_hop_by_hop_headers_do_not_come_back(echo: tuple[Echo, str]) -> None:
    app, url = echo
    app.headers = [
        (b"x-upstream", b"yes"),
        (b"connection", b"x-private"),
        (b"x-private", b"1"),
        (b"set-cookie", b"a=1"),
        (b"set-cookie", b"b=2"),
    ]
    response = httpx.get(url + "/echo/v1/x", headers={"x-api-key": LOCAL_KEY})
    assert response.headers["x-upstream"] == "yes"
    assert "x-private" not in response.headers
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]


def test_an_unknown_provider_is_404_in_the_askers_shape(gateway: str) -> None:
    anthropic = httpx.get(
        gateway + "/nope/v1/models", headers={"x-api-key": LOCAL_KEY, "anthropic-version": "2023-06-01"}
    )
    gemini = httpx.get(gateway + f"/nope/v1beta/models?key={LOCAL_KEY}")
    openai = httpx.post(
        gateway + "/nope/v1/chat/completions", headers={"authorization": f"Bearer {LOCAL_KEY}"}
    )
    assert anthropic.status_code == gemini.status_code == openai.status_code == 404
    assert anthropic.json()["error"]["type"] == "not_found_error"
    assert gemini.json()["error"]["status"] == "NOT_FOUND"
    assert "'nope' is not one" in openai.json()["error"]["message"]
    assert "up_anthropic" in openai.json()["error"]["message"]


def test_the_local_key_is_required(gateway: str, fakes: FakeUpstreams) -> None:
    body = {"model": MODEL_OF["anthropic"], "max_tokens": 10, "messages": MESSAGES}
    missing = httpx.post(gateway + "/up_anthropic/v1/messages", json=body)
    wrong = httpx.post(
        gateway + "/up_anthropic/v1/messages", json=body, headers={"x-api-key": fakes.anthropic.key}
    )
    unknown = httpx.get(gateway + "/nope/v1/models")
    assert missing.status_code == wrong.status_code == unknown.status_code == 401
    assert missing.json()["error"]["type"] == "authentication_error"  # the provider's own shape
    assert not fakes.anthropic.requests


def test_dragoman_endpoints_are_not_shadowed(gateway: str, fakes: FakeUpstreams) -> None:
    auth = {"authorization": f"Bearer {LOCAL_KEY}"}
    assert httpx.get(gateway + "/healthz").json()["status"] == "ok"
    assert httpx.head(gateway + "/api/hello").status_code == 200
    chat = httpx.post(
        gateway + "/v1/chat/completions",
        json={"model": MODEL_OF["gemini"], "messages": MESSAGES},
        headers=auth,
    )
    assert chat.json()["object"] == "chat.completion"
    gemini = httpx.post(
        f"{gateway}/v1beta/models/{MODEL_OF['anthropic']}:generateContent",
        json={"contents": [{"parts": [{"text": "hi"}]}]},
        headers=auth,
    )
    assert "candidates" in gemini.json()
    assert "data" in httpx.get(gateway + "/v1/models", headers=auth).json()
    assert fakes.anthropic.requests and fakes.gemini.requests


# -- limits and failures -------------------------------------------------------------------------


def test_a_declared_body_over_the_limit_is_refused_before_sending(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, max_body_bytes=1000) as url:
        response = httpx.post(url + "/up_openai_chat/v1/chat/completions", content=b"x" * 1001)
    assert response.status_code == 413
    assert "max_body_bytes" in response.json()["error"]["message"]
    assert not fakes.openai_chat.requests


def test_a_streamed_body_over_the_limit_is_cut(fakes: FakeUpstreams) -> None:
    """No content-length to check first: the count while streaming stops it."""

    def pieces() -> Iterator[bytes]:
        for _ in range(20):
            yield b"y" * 100

    with serve_gateway(fakes, max_body_bytes=1000) as url:
        response = httpx.post(url + "/up_openai_chat/v1/chat/completions", content=pieces())
    assert response.status_code == 413
    assert "max_body_bytes" in response.json()["error"]["message"]
    assert not fakes.openai_chat.requests  # the fake never saw a whole request


def test_a_silent_upstream_is_504_in_its_shape(fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(text="late", delay_before_first_byte=3))
    providers = providers_for(fakes, read_timeout=0.3)
    body = {"model": MODEL_OF["anthropic"], "max_tokens": 10, "messages": MESSAGES}
    with serve_gateway(fakes, providers=providers) as url:
        started = time.monotonic()
        response = httpx.post(
            url + "/up_anthropic/v1/messages", json=body, headers={"anthropic-version": "2023-06-01"}
        )
    assert response.status_code == 504
    assert response.json()["error"]["type"] == "timeout_error"
    assert time.monotonic() - started < 2.5


def test_total_timeout_cuts_a_passed_through_stream(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="a b c d e f", chunks=6, chunk_delay=0.3))
    providers = providers_for(fakes, read_timeout=30, total_timeout=0.8)
    path, _, body = native_request(fakes, "openai_chat")
    received = b""
    with serve_gateway(fakes, providers=providers) as url:
        started = time.monotonic()
        with (
            pytest.raises(httpx.RemoteProtocolError),
            httpx.stream("POST", f"{url}/up_openai_chat/v1{path}", json=body) as response,
        ):
            for chunk in response.iter_raw():
                received += chunk
    assert response.status_code == 200
    assert received.startswith(b"data: ")
    assert b"[DONE]" not in received
    assert time.monotonic() - started < 2.5


def test_the_access_log_names_the_provider_and_passthrough(
    gateway: str, fakes: FakeUpstreams, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="dragoman.access"):
        httpx.get(gateway + "/up_openai_chat/v1/models", headers={"authorization": f"Bearer {LOCAL_KEY}"})
        deadline = time.monotonic() + 2
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.01)
    [record] = [r for r in caplog.records if r.name == "dragoman.access"]
    assert (record.dialect, record.provider, record.status) == ("passthrough", "up_openai_chat", 200)  # type: ignore[attr-defined]
