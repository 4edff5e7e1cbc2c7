"""Schemathesis over every operation of the OpenAPI description, against a real
dragoman (uvicorn on loopback, tests/gateway.py) wired to the fake upstreams.

Each operation gets its examples (a request that works) and a bounded number of
generated ones, inside and outside its schema, derandomized so that CI runs the same
requests every time. Whatever is sent: no 5xx, an answer within the timeout (no hang),
and every error in the shape of the dialect the operation answers in.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import Case, GenerationMode

from dragoman.server.model_list import GEMINI_METHODS
from dragoman.server.openapi.document import build
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF, serve_gateway
from tests.secret_scan.registry import register

ADMIN = "fuzz-admin-key-13579"
register(ADMIN, "the fuzz gateway's admin key")
# Generated cases per operation and mode (plus its examples): ~60 operations in about a
# minute on two cores, most of it generating the dialects' bodies. FUZZ_EXAMPLES=200
# FUZZ_COVERAGE=1 (schemathesis's boundary values and unexpected methods, ~700 cases an
# operation) fuzzes deeper by hand.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
COVERAGE = os.environ.get("FUZZ_COVERAGE", "0") == "1"
TIMEOUT = 20.0
# An endless stream by design (the live trace feed): it is read by tests/server/admin.
ENDLESS = "/v1/traces/stream"


@pytest.fixture(scope="module")
def gateway_url(fake_upstreams_session: FakeUpstreams) -> Iterator[str]:
    with serve_gateway(fake_upstreams_session, api_keys=[ADMIN]) as url:
        yield url


@pytest.fixture(scope="module")
def described() -> Any:
    schema = schemathesis.openapi.from_dict(build(MODEL_OF["openai_chat"]))
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=EXAMPLES,
        deterministic=True,
        database="none",
        with_security_parameters=False,
    )
    schema.config.phases.coverage.enabled = COVERAGE
    return schema


schema = schemathesis.pytest.from_fixture("described")


# One test of every operation's cases (as subtests): a loaded CI machine takes minutes.
# A hang is still caught, by each request's own TIMEOUT.
@pytest.mark.timeout(600)
@schema.exclude(path=ENDLESS).parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_route_fails_or_hangs(case: Case, gateway_url: str, fakes: FakeUpstreams) -> None:
    """`fakes`: reset, so that no script another test left makes an upstream fail."""
    response = case.call(base_url=gateway_url, headers={"authorization": f"Bearer {ADMIN}"}, timeout=TIMEOUT)
    said = f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
    assert response.status_code < 500, said
    if response.status_code >= 400:
        dialect = expected_dialect(case)
        assert SHAPES[dialect](response), f"not a {dialect} error: {said}"


def expected_dialect(case: Case) -> str:
    """The dialect an operation's errors come in: its own, or for an `asked` one, the
    dialect the request looks like (server.model_list.asker)."""
    said = case.operation.definition.raw["x-dragoman-dialect"]
    if said != "asked":
        return "openai" if said.startswith("openai") else str(said)
    path, headers = case.formatted_path, {name.lower() for name in case.headers or {}}
    provider = (case.path_parameters or {}).get("provider")
    if "passthrough" in case.operation.definition.raw["tags"] and provider in PROVIDERS:
        return PROVIDERS[provider]
    if path.startswith("/v1beta/") or ("/models/" in path and path.rpartition(":")[2] in GEMINI_METHODS):
        return "gemini"
    if "anthropic-version" in headers:
        return "anthropic"
    if "x-goog-api-key" in headers or "key" in (case.query or {}):
        return "gemini"
    return "openai"


PROVIDERS = {f"up_{dialect}": "openai" if dialect.startswith("openai") else dialect for dialect in MODEL_OF}


def _openai(response: requests.Response) -> bool:
    error = _json(response).get("error")
    return isinstance(error, dict) and isinstance(error.get("message"), str) and "type" in error


def _anthropic(response: requests.Response) -> bool:
    body = _json(response)
    error = body.get("error")
    return body.get("type") == "error" and isinstance(error, dict) and isinstance(error.get("message"), str)


def _gemini(response: requests.Response) -> bool:
    error = _json(response).get("error")
    return (
        isinstance(error, dict)
        and error.get("code") == response.status_code
        and isinstance(error.get("message"), str)
        and isinstance(error.get("status"), str)
    )


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


SHAPES = {"openai": _openai, "anthropic": _anthropic, "gemini": _gemini}
