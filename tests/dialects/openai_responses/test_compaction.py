"""dragoman's sealed compaction items: the summary goes in opaque and comes out whole;
anything altered, cut or not dragoman's is told apart."""

from __future__ import annotations

import pytest

from dragoman.dialects.openai_responses import compaction, request
from dragoman.ir.errors import InvalidRequest
from dragoman.ir.messages import Text, Thinking

SUMMARY = "The user wants the tests green; résumé: 3 of 4 pass. ✓"


def test_a_sealed_summary_opens_to_itself_and_does_not_show_it() -> None:
    sealed = compaction.seal(SUMMARY)
    assert compaction.is_sealed(sealed) and "tests green" not in sealed
    assert compaction.opened(sealed, "input[0]") == SUMMARY


@pytest.mark.parametrize(
    "damage",
    [lambda s: s[:-2], lambda s: s.replace(".", "x", 2), lambda s: s[:20] + "A" + s[21:], lambda s: "dgc1."],
    ids=["digest cut", "no separator", "payload changed", "empty"],
)
def test_a_damaged_value_is_a_400_naming_its_item(damage: object) -> None:
    with pytest.raises(InvalidRequest) as caught:
        compaction.opened(damage(compaction.seal(SUMMARY)), "input[3]")  # type: ignore[operator]
    assert "input[3].encrypted_content" in caught.value.message


def test_in_input_a_sealed_item_is_the_summary_and_openais_stays_opaque() -> None:
    body = {
        "model": "m",
        "input": [
            {"type": "compaction", "encrypted_content": compaction.seal(SUMMARY)},
            {"type": "compaction", "encrypted_content": "gAAAA-openai-own"},
            {"role": "user", "content": "go on"},
        ],
    }
    parsed = request.parse(body)
    first, second, third = parsed.messages
    assert first.role == "user" and first.parts == [Text(compaction.PREAMBLE + SUMMARY)]
    assert second.role == "assistant" and isinstance(second.parts[0], Thinking)
    assert second.parts[0].redacted and second.parts[0].signature == "gAAAA-openai-own"
    assert third.parts == [Text("go on")]


def test_a_trigger_anywhere_but_last_is_refused() -> None:
    body = {"model": "m", "input": [{"type": "compaction_trigger"}, {"role": "user", "content": "hi"}]}
    with pytest.raises(InvalidRequest, match="final input item"):
        request.parse(body)
