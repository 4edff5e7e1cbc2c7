"""The classifier's held-out set (`heldout`): labelled and committed before the
classifier was run on it, so its agreement here is the honest figure (the tuned set's,
in `test_classify`, is partly circular).

First measured (commit after 9fb8354, weights as of main 3eb386c): 28 of 44 exact (64%),
39 of 44 within one tier (89%). The misses are the tuned set's known ones, more of
them: design and architecture questions without its marker words (a database choice,
a schema, a rollout plan, a leak hunt) rated one or two tiers low; a short code review
of a memory-model subtlety rated simple; ordinary coding asked in plain words (pandas,
a Dockerfile, a regex) rated simple; an induction asked as "show by induction" and a
knights-and-knaves puzzle not seen as proofs; a long transcript to summarize rated
simple. The floors below hold that figure against regressions; a change to the weights
tuned on these requests makes them tuned too: write a new held-out set then."""

from __future__ import annotations

from collections import Counter

import pytest

from dragoman.ir.request import Request
from dragoman.policy.tiers import RANK
from tests.captures import load_all
from tests.policy.heldout import PLACED, SPECS, placed
from tests.policy.test_classify import _parse, _tier
from tests.policy.written import BUILDERS, body
from tests.policy.written import SPECS as TUNED

CAPTURES = {capture.name: capture for capture in load_all()}


def _placed() -> list[tuple[str, str, list[Request]]]:
    found = []
    for item in PLACED:
        capture = CAPTURES[item.capture]
        assert capture.dialect is not None
        request = _parse(capture.dialect, placed(capture, item.prompt), capture.gemini_model)
        found.append((item.name, item.tier, [request]))
    return found


def _written() -> list[tuple[str, str, list[Request]]]:
    return [
        (spec.name, spec.tier, [_parse(dialect, body(spec, dialect)) for dialect in BUILDERS])
        for spec in SPECS
    ]


HELD_OUT = _placed() + _written()

# Below the first measurement (64% exact, 89% within one): a floor against regressions,
# not a target.
EXACT = 0.60
WITHIN_ONE = 0.85


def test_the_held_out_set_is_large_new_and_covers_every_dialect_and_tier() -> None:
    assert len(HELD_OUT) >= 30
    names = [name for name, _, _ in HELD_OUT]
    assert len(set(names)) == len(names)
    tuned = {spec.prompt for spec in TUNED}
    assert not tuned & {item.prompt for item in (*PLACED, *SPECS)}
    per_dialect = Counter(request.source for _, _, requests in HELD_OUT for request in requests)
    assert set(per_dialect) == set(BUILDERS) and min(per_dialect.values()) >= 15, per_dialect
    assert set(Counter(label for _, label, _ in HELD_OUT)) == set(RANK)
    assert all(item.why for item in (*PLACED, *SPECS))


def test_a_prompt_is_placed_in_the_capture_alone() -> None:
    capture = CAPTURES["python-sdks/01-openai.chat"]
    assert placed(capture, "Who?")["messages"] == [{"role": "user", "content": "Who?"}]
    assert capture.body["messages"][0]["content"] == "Reply with OK"  # the capture is left as it was
    with pytest.raises(ValueError, match="0 places"):
        placed(CAPTURES["codex/02-openai.responses.stream"], "Who?")


def test_the_classifiers_agreement_on_the_held_out_set(record_property: pytest.RecordProperty) -> None:
    answers = []
    for name, label, requests in HELD_OUT:  # a written request's worst dialect stands for it
        tiers = [_tier(request) for request in requests]
        answers.append((name, label, max(tiers, key=lambda tier: abs(RANK[tier] - RANK[label]))))
    exact = sum(label == got for _, label, got in answers)
    within_one = sum(abs(RANK[label] - RANK[got]) <= 1 for _, label, got in answers)
    misses = [f"{name}: labelled {label}, got {got}" for name, label, got in answers if label != got]
    report = f"held out: {exact} of {len(answers)} exact, {within_one} within one tier; misses: {misses}"
    record_property("classifier_held_out", report)
    print(report)
    assert exact / len(answers) >= EXACT and within_one / len(answers) >= WITHIN_ONE, report
