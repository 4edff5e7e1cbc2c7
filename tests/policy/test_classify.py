"""The classifier on a labelled set: the captured client requests (what real users send)
and written ones rendered in every client dialect. Labels are what a person would pick;
the classifier must agree on nearly all and never be more than one tier off."""

from __future__ import annotations

import time

import pytest

from dragoman import dialects
from dragoman.config.routing import AutoFloors
from dragoman.ir.request import Request
from dragoman.policy.classify import classify
from dragoman.policy.signals import signals
from dragoman.policy.tiers import RANK
from tests.captures import Capture, load_all
from tests.policy.written import BUILDERS, SPECS, body

# Captured requests by name: the label a person gives each.
CAPTURED = {
    "claude-code": "medium",  # an agent turn ("Reply with OK", or reading a file)
    "codex": "medium",
    "gemini-cli/01": "medium",
    "gemini-cli/02": "medium",
    "gemini-cli/03": "medium",
    "gemini-cli/04": "simple",  # its model-router call: score one prompt's complexity
    "gemini-cli/05": "medium",
    "gemini-cli/06": "simple",
    "gemini-cli/07": "medium",
    "gemini-cli/08": "medium",
    "python-sdks": "simple",  # one-line prompts
}


def _label(capture: Capture) -> str:
    for prefix, tier in CAPTURED.items():
        if capture.name.startswith(prefix):
            return tier
    raise AssertionError(f"no label for {capture.name}")


def _parse(dialect: str, raw: dict, model: str = "auto") -> Request:
    parser = dialects.get(dialect).request
    if dialect == "gemini":
        return parser.parse(raw, model=model, stream=False)
    return parser.parse(raw)


def _labelled() -> list[tuple[str, Request, str]]:
    cases = [
        (capture.name, _parse(capture.dialect, capture.body, capture.gemini_model), _label(capture))
        for capture in load_all()
        if capture.dialect is not None
    ]
    cases += [
        (f"{spec.name}/{dialect}", _parse(dialect, body(spec, dialect)), spec.tier)
        for spec in SPECS
        for dialect in BUILDERS
    ]
    return cases


LABELLED = _labelled()


def _tier(request: Request) -> str:
    return classify(signals(request), AutoFloors()).tier


def test_the_labelled_set_is_large_and_covers_every_dialect_and_tier() -> None:
    assert len(LABELLED) >= 60
    assert {request.source for _, request, _ in LABELLED} >= set(BUILDERS)
    assert {label for _, _, label in LABELLED} == set(RANK)


def test_the_classifier_agrees_with_the_labels() -> None:
    wrong = [(name, label, _tier(request)) for name, request, label in LABELLED if _tier(request) != label]
    assert len(wrong) <= len(LABELLED) // 20, wrong  # at least 95% agree
    assert all(abs(RANK[label] - RANK[got]) <= 1 for _, label, got in wrong), wrong


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_every_dialect_gets_the_same_tier(spec: object) -> None:
    tiers = {dialect: _tier(_parse(dialect, body(spec, dialect))) for dialect in BUILDERS}  # type: ignore[arg-type]
    assert len(set(tiers.values())) == 1, tiers


def test_floors_raise_images_and_tools_as_configured() -> None:
    photo = next(spec for spec in SPECS if spec.name == "photo")
    request = _parse("anthropic", body(photo, "anthropic"))
    assert classify(signals(request), AutoFloors(images="reasoning")).tier == "reasoning"
    assert classify(signals(request), AutoFloors(images=None)).tier == "simple"
    tools = next(spec for spec in SPECS if spec.name == "list-files")
    request = _parse("openai_chat", body(tools, "openai_chat"))
    assert classify(signals(request), AutoFloors(tools=None)).tier == "simple"


def test_each_contribution_is_named_in_the_reason() -> None:
    hard = next(spec for spec in SPECS if spec.name == "hard-proof")
    result = classify(signals(_parse("openai_responses", body(hard, "openai_responses"))), AutoFloors())
    assert result.contributions["reasoning_marker"] == 4
    assert result.contributions["reasoning_asked"] == 1
    assert "reasoning_marker+4" in result.reason()
    assert result.score == sum(value for value in result.contributions.values() if isinstance(value, int))


def test_a_repeated_tool_call_escalates_one_tier() -> None:
    repeating = next(spec for spec in SPECS if spec.name == "repeating-agent")
    request = _parse("gemini", body(repeating, "gemini"))
    result = classify(signals(request), AutoFloors())
    assert result.tier == "complex"
    assert result.contributions["repeated_call"] == "-> complex"


def test_classifying_the_largest_captured_request_takes_well_under_a_millisecond() -> None:
    largest = max((c for c in load_all() if c.dialect), key=lambda c: len(str(c.body)))
    request = _parse(largest.dialect, largest.body, largest.gemini_model)
    floors = AutoFloors()
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        classify(signals(request), floors)
    assert (time.perf_counter() - started) / rounds < 0.0005
