"""Every paste form of oauth.md §0, and the state check."""

from __future__ import annotations

import pytest

from dragoman.auth.paste import Pasted, PasteError, check_state, parse_paste

CODE, STATE = "ac_Zx9-abc.DEF", "st_123"


@pytest.mark.parametrize(
    "text",
    [
        f"http://localhost:1455/auth/callback?code={CODE}&state={STATE}",
        f"  https://localhost:1455/auth/callback?state={STATE}&code={CODE}\n",
        f"localhost:1455/auth/callback?code={CODE}&state={STATE}",
        f"127.0.0.1:56121/callback?code={CODE}&state={STATE}",
        f"{CODE}#{STATE}",
        f"code={CODE}&state={STATE}",
        f"?code={CODE}&state={STATE}#fragment",
        f"/auth/callback?code={CODE}&state={STATE}",
        f'"http://localhost:1455/auth/callback?code={CODE}&state={STATE}"',
    ],
)
def test_forms_with_a_state(text: str) -> None:
    assert parse_paste(text) == Pasted(CODE, STATE)


@pytest.mark.parametrize(
    "text", [CODE, f"  {CODE}  ", f"code={CODE}", f"http://localhost:1455/auth/callback?code={CODE}"]
)
def test_forms_without_a_state(text: str) -> None:
    assert parse_paste(text) == Pasted(CODE, None)
    assert check_state(parse_paste(text), STATE) == CODE


def test_a_url_encoded_code_is_decoded() -> None:
    assert parse_paste("http://localhost:1455/auth/callback?code=a%2Bb%2Fc&state=s").code == "a+b/c"


def test_the_state_must_be_this_logins() -> None:
    with pytest.raises(PasteError, match="state mismatch"):
        check_state(parse_paste(f"{CODE}#someone-elses"), STATE)
    with pytest.raises(PasteError, match="state mismatch"):
        check_state(parse_paste(f"http://localhost:1455/auth/callback?code={CODE}&state=other"), STATE)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "nothing was pasted"),
        ("   ", "nothing was pasted"),
        ("http://localhost:1455/auth/callback?state=s", "no authorization code"),
        ("two words", "no authorization code"),
        (
            "http://localhost:1455/auth/callback?error=access_denied&error_description=no+entitlement",
            "no entitlement",
        ),
    ],
)
def test_pastes_without_a_code(text: str, message: str) -> None:
    with pytest.raises(PasteError, match=message):
        parse_paste(text)
