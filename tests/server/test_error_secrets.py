"""No upstream key reaches a client or a log through an error text, streamed or not.

Each fake upstream is given a key of no known key shape (no `sk-`, no `Bearer ` before
it), so only its registration as a secret can mask it, and its error message quotes
that key. Every client dialect asks every upstream dialect, streamed and whole.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from dragoman.auth.rows import remember
from dragoman.config import load
from dragoman.ir.errors import UpstreamError
from dragoman.routing.sources import account_upstream
from dragoman.server.app import build_gateway, create_app
from dragoman.store.accounts import Account
from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF, serve_gateway

MESSAGES = [{"role": "user", "content": "hi"}]


def client_call(dialect: str, model: str, stream: bool) -> tuple[str, dict[str, Any]]:
    """(path, body) of a request in `dialect` for `model`."""
    if dialect == "gemini":
        action = "streamGenerateContent?alt=sse" if stream else "generateContent"
        return f"/v1beta/models/{model}:{action}", {"contents": [{"parts": [{"text": "hi"}]}]}
    return {
        "openai_chat": ("/v1/chat/completions", {"model": model, "messages": MESSAGES, "stream": stream}),
        "openai_responses": ("/v1/responses", {"model": model, "input": "hi", "stream": stream}),
        "anthropic": (
            "/v1/messages",
            {"model": model, "max_tokens": 10, "messages": MESSAGES, "stream": stream},
        ),
    }[dialect]


def plain_key() -> str:
    # Lower-case words and hex: none of redact's built-in key shapes.
    return f"plain-upstream-credential-{secrets.token_hex(8)}"


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "whole"])
@pytest.mark.parametrize("client", ["openai_chat", "openai_responses", "anthropic", "gemini"])
def test_an_upstream_key_in_an_error_never_reaches_the_client_or_the_log(
    fakes: FakeUpstreams, caplog: pytest.LogCaptureFixture, client: str, stream: bool
) -> None:
    keys = {}
    for fake in fakes:
        fake.key = keys[fake.dialect] = plain_key()
        failure = Failure(500, f"key rejected: {fake.key} (Bearer {fake.key})", mid_stream=True)
        fake.script(Reply(text="Partial answer", error=failure))
    caplog.set_level(logging.DEBUG)
    with serve_gateway(fakes) as url:
        answers = {}
        for upstream, model in MODEL_OF.items():
            path, body = client_call(client, model, stream)
            answers[upstream] = httpx.post(url + path, json=body, timeout=10)
    for upstream, answer in answers.items():
        assert fakes[upstream].requests, f"{upstream} was never asked"
        assert "key rejected" in answer.text, answer.text
        assert keys[upstream] not in answer.text
        assert answer.status_code == (200 if stream else 500)
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert "key rejected" in logged or stream
    for key in keys.values():
        assert key not in logged


# -- every source of a secret registers it ------------------------------------------------------


def _provider(**fields: Any) -> dict[str, Any]:
    base = {"kind": "openai_compatible", "base_url": "http://127.0.0.1:9/v1", "api_key": plain_key()}
    return {**base, **fields}


def _configured(settings: dict[str, Any], environ: dict[str, str] | None = None) -> None:
    create_app(build_gateway(load(overrides=settings), environ=environ or {}))


def _provider_key(secret: str) -> None:
    _configured({"providers": {"p": _provider(api_key=secret)}})


def _provider_key_from_env(secret: str) -> None:
    provider = {**_provider(api_key_env="UPSTREAM_PLAIN_KEY"), "api_key": None}
    _configured({"providers": {"p": provider}}, {"UPSTREAM_PLAIN_KEY": secret})


def _bearer_header(secret: str) -> None:
    _configured({"providers": {"p": _provider(headers={"Authorization": f"Bearer {secret}"})}})


def _key_header(secret: str) -> None:
    _configured({"providers": {"p": _provider(headers={"X-Gateway-Token": secret})}})


def _provider_proxy(secret: str) -> None:
    _configured({"providers": {"p": _provider(proxy=f"http://me:{secret}@proxy.test:3128")}})


def _global_proxy(secret: str) -> None:
    _configured({"providers": {"p": _provider()}, "proxy": f"http://me:{secret}@proxy.test:3128"})


def _local_key(secret: str) -> None:
    _configured({"providers": {"p": _provider()}, "api_keys": [secret]})


def _account_key(secret: str) -> None:
    account = Account(
        provider="openai_compatible", label="acct", api_key=secret, base_url="http://127.0.0.1:9/v1"
    )
    account_upstream(account, load(overrides={}), {})


def _oauth_tokens(secret: str) -> None:
    remember(Account(provider="claude", auth="oauth", access_token=secret, refresh_token=plain_key()))


@pytest.mark.parametrize(
    "source",
    [
        _provider_key,
        _provider_key_from_env,
        _bearer_header,
        _key_header,
        _provider_proxy,
        _global_proxy,
        _local_key,
        _account_key,
        _oauth_tokens,
    ],
)
def test_every_configured_or_stored_secret_is_masked_in_error_texts(source: Callable[[str], None]) -> None:
    secret = plain_key()
    source(secret)
    error = UpstreamError(f"refused {secret}")
    assert secret not in error.message and secret not in str(error)
    assert error.message.startswith("refused ***")
    error.message = f"later: {secret}"
    assert secret not in error.message
