"""How readers' findings fold into one Reading: the precedence of resets, and the scope."""

from __future__ import annotations

from dragoman.pools.reading import NOTHING, Hint, Signals, UsageWindow, conclude

T = 1_795_000_000.0


def window(name: str, family: str | None, resets_at: float | None, rejected: bool = True) -> UsageWindow:
    return UsageWindow(name, family, None, None, resets_at, rejected)


def test_nothing_found_is_nothing() -> None:
    assert conclude([Signals(), Signals()]) is NOTHING


def test_rejected_windows_outrank_retry_after() -> None:
    found = [Signals(windows=(window("5h", None, T + 100),)), Signals(fallback=(Hint(T + 999),))]
    assert conclude(found).reset_at == T + 100


def test_a_stated_reset_joins_the_rejected_windows_and_the_latest_wins() -> None:
    found = [Signals(windows=(window("5h", None, T + 100),), hints=(Hint(T + 200),))]
    assert conclude(found).reset_at == T + 200


def test_a_rejected_window_without_a_reset_falls_back_to_retry_after() -> None:
    reading = conclude([Signals(windows=(window("5h", None, None),), fallback=(Hint(T + 30),))])
    assert (reading.exhausted, reading.reset_at) == (True, T + 30)


def test_a_rejected_window_with_no_reset_anywhere_is_exhausted_without_an_end() -> None:
    reading = conclude([Signals(windows=(window("5h", None, None),))])
    assert (reading.exhausted, reading.reset_at) == (True, None)


def test_stated_resets_outrank_retry_after() -> None:
    reading = conclude([Signals(hints=(Hint(T + 50, "luna"),), fallback=(Hint(T + 500),))])
    assert (reading.reset_at, reading.family, reading.exhausted) == (T + 50, "luna", False)


def test_hints_for_different_families_cool_the_account() -> None:
    reading = conclude([Signals(hints=(Hint(T + 50, "luna"), Hint(T + 60, "sol")))])
    assert (reading.reset_at, reading.family) == (T + 60, None)


def test_a_family_block_ignores_an_account_window_that_is_not_rejected() -> None:
    found = [Signals(windows=(window("5h", None, T + 10, rejected=False), window("7d_oi", "fable", T + 900)))]
    reading = conclude(found)
    assert (reading.family, reading.reset_at) == ("fable", T + 900)


def test_two_rejected_families_take_the_one_resetting_last() -> None:
    found = [Signals(windows=(window("7d_oi", "fable", T + 900), window("7d-sonnet", "sonnet", T + 100)))]
    reading = conclude(found)
    assert (reading.family, reading.reset_at) == ("fable", T + 900)


def test_windows_keep_the_order_readers_found_them_in() -> None:
    first, second = window("5h", None, T, rejected=False), window("requests", None, T, rejected=False)
    assert conclude([Signals(windows=(first,)), Signals(windows=(second,))]).windows == (first, second)
