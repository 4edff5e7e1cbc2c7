"""A key's options as given: checked field by field, laid over one another, and made
into the key's policy."""

from __future__ import annotations

import pytest

from dragoman.policy.key_options import changed, local_key, options_of
from dragoman.policy.keys import Limit
from dragoman.state.records import Period


def test_options_are_kept_as_given() -> None:
    given = {"models": ["claude-*"], "budget": "$20/month", "rpm": 60, "expires": "30d", "guard": 80}
    assert options_of(given).given() == given


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"budget": "20eur/month"}, "--budget '20eur/month': expected an amount in US dollars"),
        ({"tokens": "lots"}, "--tokens 'lots': expected an amount per period"),
        ({"expires": "soon"}, "--expires 'soon': expected a span like 30d"),
        ({"max_concurrent": 0}, "max_concurrent: Input should be greater than or equal to 1"),
        ({"guard": 150}, "guard: Input should be less than or equal to 100"),
        ({"modles": ["x"]}, "modles: not a key option (they are models, deny, budget"),
    ],
)
def test_each_bad_option_is_named(values: dict[str, object], said: str) -> None:
    with pytest.raises(ValueError) as raised:
        options_of(values)
    assert said in str(raised.value)


def test_changes_lay_over_the_options_and_none_unsets() -> None:
    held = {"budget": "$20/month", "rpm": 60}
    result = changed(held, {"rpm": None, "tokens": "5M/day"})
    assert result.given() == {"budget": "$20/month", "tokens": "5M/day"}


def test_the_key_made_from_options() -> None:
    options = {"models": ["a*"], "deny": ["ab"], "tokens": "5M/day", "tpm": "200k", "max_concurrent": 4,
               "max_output_tokens": 1000, "guard": 90}  # fmt: skip
    key = local_key("alice", options, "Europe/Paris", expires=5.0)
    assert key.limits == (
        Limit("tokens", "tokens", 5_000_000, Period.fixed("day", "Europe/Paris")),
        Limit("tpm", "tokens", 200_000, Period.rolling(60, "Europe/Paris")),
    )
    assert (key.models, key.deny, key.max_concurrent, key.max_output_tokens) == (("a*",), ("ab",), 4, 1000)
    assert (key.guard_percent, key.expires, key.admin) == (90, 5.0, False)
    assert key.allows("abc") and not key.allows("ab") and not key.allows("b")
