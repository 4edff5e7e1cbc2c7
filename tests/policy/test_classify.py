"""The classifier on a labelled set: the captured client requests (what real users send)
and written ones rendered in every client dialect, each label with its reason
(`labels`, `written`). The classifier is a handful of weighted keyword and size
signals, so it is held to an accuracy, not to every label: the test reports it and
fails below the thresholds. Known misses, kept rather than labelled away (8 of 67):
short coding tasks worded plainly (a SQL query, tests, explaining or reviewing a few
lines) rated simple, design and concurrency questions with few markers rated medium, a
functional equation rated complex, and a proof asked for without the words of one
("show that n^5 - n is divisible by 30") rated simple."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from dragoman import dialects
from dragoman.config.routing import AutoFloors
from dragoman.ir.request import Request
from dragoman.policy.classify import classify
from dragoman.policy.signals import signals
from dragoman.policy.tiers import RANK
from tests.captures import load_all
from tests.policy.labels import CAPTURED
from tests.policy.written import BUILDERS, SPECS, body

# At least this share of the requests get their label, and nearly all are within one
# tier of it (a miss by two costs a lot, or serves a hard request badly).
EXACT = 0.85
WITHIN_ONE = 0.95


def _parse(dialect: str, raw: dict, model: str = "auto") -> Request:
    parser = dialects.get(dialect).request
    if dialect == "gemini":
        return parser.parse(raw, model=model, stream=False)
    return parser.parse(raw)


def _tier(request: Request) -> str:
    return classify(signals(request), AutoFloors()).tier


def _captured() -> list[tuple[str, str, list[Request], str]]:
    """(name, label, its request, reason) per captured generation request."""
    found = []
    for capture in load_all():
        if capture.dialect is not None:
            label, reason = CAPTURED[capture.name]
            request = _parse(capture.dialect, capture.body, capture.gemini_model)
            found.append((capture.name, label, [request], reason))
    return found


def _written() -> list[tuple[str, str, list[Request], str]]:
    """(name, label, its request in every dialect, reason) per written spec."""
    return [
        (spec.name, spec.tier, [_parse(dialect, body(spec, dialect)) for dialect in BUILDERS], spec.why)
        for spec in SPECS
    ]


# One row per request (a written one counted once, right only if right in every dialect).
LABELLED = _captured() + _written()


def _answers() -> list[tuple[str, str, str]]:
    """(name, label, the tier given): a written request's worst dialect stands for it."""
    found = []
    for name, label, requests, _ in LABELLED:
        tiers = [_tier(request) for request in requests]
        worst = max(tiers, key=lambda tier: abs(RANK[tier] - RANK[label]))
        found.append((name, label, worst))
    return found


def test_the_labelled_set_is_large_and_covers_every_dialect_and_tier() -> None:
    assert len(LABELLED) >= 60
    assert all(reason for *_, reason in LABELLED)
    per_dialect = Counter(request.source for _, _, requests, _ in LABELLED for request in requests)
    assert set(per_dialect) == set(BUILDERS) and min(per_dialect.values()) >= 30, per_dialect
    assert Counter(label for _, label, _, _ in LABELLED).keys() == RANK.keys()


def test_the_captured_labels_name_every_captured_request() -> None:
    captured = {capture.name for capture in load_all() if capture.dialect is not None}
    assert captured == set(CAPTURED)


def test_the_classifier_agrees_with_the_labels(record_property: pytest.RecordProperty) -> None:
    answers = _answers()
    exact = sum(label == got for _, label, got in answers) / len(answers)
    within_one = sum(abs(RANK[label] - RANK[got]) <= 1 for _, label, got in answers) / len(answers)
    misses = [f"{name}: labelled {label}, got {got}" for name, label, got in answers if label != got]
    report = f"{exact:.0%} exact, {within_one:.0%} within one tier, of {len(answers)}; misses: {misses}"
    record_property("classifier_accuracy", report)
    print(report)  # shown with -s or -rP: the number to watch when the weights change
    assert exact >= EXACT and within_one >= WITHIN_ONE, report


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
    assert result.contributions["reasoning_marker"] == 6  # several distinct cues: prove, derive, think hard
    assert result.contributions["reasoning_asked"] == 1
    assert "reasoning_marker+6" in result.reason()
    assert result.score == sum(value for value in result.contributions.values() if isinstance(value, int))


def test_one_reasoning_cue_counts_less_than_several() -> None:
    proof = next(spec for spec in SPECS if spec.name == "proof")  # "Prove that ...": one cue
    result = classify(signals(_parse("anthropic", body(proof, "anthropic"))), AutoFloors())
    assert (result.contributions["reasoning_marker"], result.tier) == (4, "complex")


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
