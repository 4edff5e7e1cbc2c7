"""`auto` rows of the model lists: their limits, and profiles that cannot answer."""

from __future__ import annotations

from dragoman.ir.errors import ModelNotFound
from dragoman.ir.models import ModelInfo
from dragoman.policy.listing import auto_cards

SERVED = {
    "small": ModelInfo("small", context_window=128_000, max_output_tokens=16_000, vision=True),
    "big": ModelInfo("big", context_window=1_000_000, max_output_tokens=64_000, vision=False, reasoning=True),
}
TIERS = {
    "": {"simple": "small", "reasoning": "big"},
    "cheap": {"simple": "small", "reasoning": "small"},
    "gone": {"simple": "not-served"},
}


def tiers_of(profile: str) -> dict[str, str]:
    if profile not in TIERS:
        raise ModelNotFound(f"no auto profile {profile!r}")
    return TIERS[profile]


def test_a_row_has_the_tightest_limits_and_capabilities_of_its_tiers() -> None:
    (auto,) = auto_cards([""], tiers_of, SERVED)
    assert (auto.id, auto.owned_by) == ("auto", "dragoman")
    assert (auto.info.context_window, auto.info.max_output_tokens) == (128_000, 16_000)
    assert (auto.info.vision, auto.info.reasoning) == (False, True)


def test_profiles_are_rows_of_their_own_and_one_that_cannot_answer_is_left_out() -> None:
    cards = auto_cards(["", "cheap", "gone", "unknown"], tiers_of, SERVED)
    assert [card.id for card in cards] == ["auto", "auto/cheap"]
    assert cards[1].info.context_window == 128_000 and cards[1].info.reasoning is False
