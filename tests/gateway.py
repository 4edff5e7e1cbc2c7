"""A real dragoman, served on loopback by uvicorn in a thread, wired to the fakes.

Each upstream dialect's fake is a provider named `up_<dialect>`, serving the models in
`UPSTREAM_MODELS`; a client reaches any upstream dialect by asking for its model.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette

from dragoman.config import load
from dragoman.config.origin import ConfigOrigin
from dragoman.server.app import build_gateway, create_app
from dragoman.server.gateway import Gateway
from dragoman.server.serving import uvicorn_config
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.server import bind

UPSTREAM_MODELS: dict[str, list[str]] = {
    "openai_chat": ["gpt-4.1"],
    "openai_responses": ["gpt-5"],
    "anthropic": ["claude-sonnet-4-6"],
    "gemini": ["gemini-2.5-flash", "gemini-3-pro-preview"],
}

MODEL_OF = {dialect: models[0] for dialect, models in UPSTREAM_MODELS.items()}


def providers_for(fakes: FakeUpstreams, **extra: Any) -> dict[str, dict[str, Any]]:
    return {
        f"up_{dialect}": {
            "kind": "openai_compatible",
            "dialect": dialect,
            "base_url": fakes[dialect].base_url,
            "api_key": fakes[dialect].key,
            "models": models,
            **extra,
        }
        for dialect, models in UPSTREAM_MODELS.items()
    }


# The gateways running now: a gateway kept across tests (a module's, the session's)
# forgets what its pools learned whenever the fakes are reset (`forget_pool_state`).
LIVE: list[Gateway] = []
# The app behind each running gateway's URL, for tests that reach inside it (its KeyRing).
APPS: dict[str, Starlette] = {}


def forget_pool_state() -> None:
    """Every running gateway's cooldowns and session bindings cleared, as `dragoman
    accounts reset` would: one test's 429 must not cool the account for the next."""
    for gateway in LIVE:
        if gateway.state is None:
            continue
        for upstream in gateway.registry.upstreams:
            gateway.state.health.reset(upstream.name)
            gateway.state.bindings.drop_account(upstream.name)


@contextmanager
def serve_gateway(fakes: FakeUpstreams, origin: ConfigOrigin | None = None, **settings: Any) -> Iterator[str]:
    """A running dragoman's root URL (e.g. http://127.0.0.1:PORT). With `origin`, its
    settings are read from there and its config file is watched, as `serve` does."""
    if origin is None:
        settings.setdefault("providers", providers_for(fakes))
        gateway = build_gateway(load(overrides=settings), environ={})
    else:
        gateway = build_gateway(origin.load(environ={}), environ={})
        gateway.origin = origin
    LIVE.append(gateway)
    url = ""
    sock = bind(0)
    app = create_app(gateway)
    # As `serve` runs it (uvloop, dragoman's connection protocol), with a short grace.
    config = uvicorn_config(app, gateway.settings)
    config.timeout_graceful_shutdown = 1
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the gateway did not start")
            time.sleep(0.005)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        APPS[url] = app
        yield url
    finally:
        APPS.pop(url, None)
        LIVE.remove(gateway)
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port nothing listens on while the test runs (bound, never listening):
    where a CLI command looking for a running dragoman finds none, whatever runs on
    this machine's default 127.0.0.1:4800."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()
