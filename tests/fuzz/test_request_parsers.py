"""Every dialect's request parser (dialects/*/request.py), fuzzed from the corpus: a
client body, however wrong, is parsed or refused with an InvalidRequest, never another
exception; and what parses renders for every upstream dialect (or is refused there the
same way) into a body orjson can send."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings

from dragoman import dialects
from dragoman.ir.errors import GatewayError
from dragoman.ir.request import Request
from tests.fuzz.corpus import JSON, bodies, files, mutations

DIALECTS = ["anthropic", "openai_chat", "openai_responses", "gemini"]
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse(dialect: str, body: Any) -> Request | None:
    """The IR of `body`, or None when the parser refused it as the client's mistake."""
    try:
        return dialects.get(dialect).request.parse(body)
    except GatewayError as error:
        assert 400 <= error.status < 500, f"{dialect}: {error!r} for {body!r}"
        return None


def render_everywhere(request: Request) -> None:
    for upstream in DIALECTS:
        try:
            rendered = dialects.get(upstream).request.render(request, model="m", origin="fuzz")
        except GatewayError as error:
            assert 400 <= error.status < 500, f"render for {upstream}: {error!r}"
            continue
        orjson.dumps(rendered)


def check(dialect: str, body: Any) -> None:
    # As it comes off the wire: orjson reads an integer past 64 bits as a float.
    request = parse(dialect, orjson.loads(json.dumps(body)))
    if request is not None:
        render_everywhere(request)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_corpus_parses_and_renders_everywhere(dialect: str) -> None:
    """The seeds are valid requests: each one parses, not just fails cleanly."""
    for body in bodies(dialect):
        request = dialects.get(dialect).request.parse(body)
        render_everywhere(request)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_mutated_request_is_parsed_or_refused_cleanly(dialect: str) -> None:
    @FUZZ
    @given(mutations(bodies(dialect)))
    def run(body: Any) -> None:
        check(dialect, body)

    run()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_any_json_is_parsed_or_refused_cleanly(dialect: str) -> None:
    @settings(max_examples=60, deadline=None)
    @given(JSON)
    def run(body: Any) -> None:
        check(dialect, body)

    run()


def test_the_corpus_has_every_dialect() -> None:
    assert {path.parent.name for dialect in DIALECTS for path in files(dialect, ".json")} == set(DIALECTS)
