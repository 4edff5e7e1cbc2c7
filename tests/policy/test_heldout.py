"""The classifier's held-out set (`heldout`): labelled and committed before the
classifier was run on it."""

from __future__ import annotations

from collections import Counter

import pytest

from dragoman.ir.request import Request
from dragoman.policy.tiers import RANK
from tests.captures import load_all
from tests.policy.heldout import PLACED, SPECS, placed
from tests.policy.test_classify import _parse
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
