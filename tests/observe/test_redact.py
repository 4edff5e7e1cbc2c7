from __future__ import annotations

import io
import logging
import secrets

import orjson
import pytest

from dragoman.observe import redact
from dragoman.observe.log import JsonFormatter, RedactingFilter, configure, request_id

# No hex digit and no key shape: a value that cannot turn up in an id by chance.
_LETTERS = "GHJKLMNPQRSTUVWXYZ"


def fresh(size: int) -> str:
    """A secret no earlier test registered: the registry lives as long as the process,
    and a test reusing a known value would pass even if `register` did nothing."""
    return "".join(secrets.choice(_LETTERS) for _ in range(size))


def test_registered_secrets_are_masked_anywhere_in_text() -> None:
    secret = "local-" + fresh(12)
    redact.register([secret])
    assert redact.redact(f"key={secret};") == "key=***;"


def test_a_remembered_field_is_masked_once_its_secret_is_registered() -> None:
    secret = fresh(16)
    assert redact.redact_field(secret) == secret  # clean, and remembered so
    redact.register([secret])
    assert redact.redact_field(secret) == "***"


def test_six_characters_is_long_enough_to_register_and_five_is_not() -> None:
    six, five = fresh(6), fresh(5)
    redact.register([six, five])
    assert redact.redact(six) == "***"
    assert redact.redact(f"{five} {six}") == f"{five} ***"


def test_a_secret_containing_another_is_masked_whole() -> None:
    short = fresh(8)
    long = f"{short}-{fresh(12)}"
    redact.register([short])
    redact.register([long])
    assert redact.redact(f"<{long}>") == "<***>"
    assert redact.redact(f"<{short}>") == "<***>"


def test_key_shapes_are_masked_without_registration() -> None:
    text = (
        "sk-ant-api03-abcdefghijklmnop AIzaSyA1234567890abcdefghijk Bearer abcdefgh12345 xai-abcdefghijklmnop"
    )
    masked = redact.redact(text)
    for secret in ("abcdefghijklmnop", "AIzaSyA1234567890", "abcdefgh12345"):
        assert secret not in masked


@pytest.mark.parametrize(
    "secret",
    [
        "sk-ant-api03-abcdefghijklmnop",
        "AIzaSyA1234567890abcdefghijk",
        "xai-abcdefghijklmnop",
        "ya29.a0AfH6SMBabcdefghij",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl",
    ],
)
def test_each_key_shape_alone_is_masked(secret: str) -> None:
    """Alone: the pattern runs only on a text holding some shape's start."""
    assert redact.redact(f"got {secret} here") == "got *** here"


def test_what_follows_bearer_alone_is_masked() -> None:
    assert redact.redact("Authorization: Bearer abcdefgh12345") == "Authorization: Bearer ***"


def test_every_shape_begins_with_a_listed_start() -> None:
    """A shape whose start is not listed would never be looked for."""
    alternatives = redact._SHAPES.pattern.removeprefix("(?:").removesuffix(")").split("|")
    assert len(alternatives) == 6
    for alternative in alternatives:
        literal = alternative.removeprefix("(?<=").replace("\\.", ".")
        assert any(literal.startswith(start) for start in redact._SHAPE_STARTS), alternative


def test_a_text_without_any_shape_or_secret_is_returned_as_it_is() -> None:
    text = "POST /v1/chat/completions 200 openai_chat gpt-bench -> chat/gpt-bench 2.1ms"
    assert redact.redact(text) is text


def test_short_values_are_not_registered() -> None:
    redact.register(["ab"])
    assert redact.redact("abc ab") == "abc ab"


def test_mask_keeps_only_ends() -> None:
    assert redact.mask("sk-1234567890abcdef") == "sk-1***cdef"
    assert redact.mask("short") == "***"


def test_mask_shows_ends_only_past_eight_characters() -> None:
    assert redact.mask("12345678") == "***"
    assert redact.mask("123456789") == "1234***6789"
    assert redact.mask("") == "" and redact.mask(None) == ""


def test_every_log_line_is_redacted_and_carries_the_request_id() -> None:
    key = "provider-key-" + fresh(12)
    redact.register([key])
    stream = io.StringIO()
    handler = configure("info", "text", stream)
    token = request_id.set("req-42")
    try:
        logging.getLogger("anything").warning("calling with %s", key)
        logging.getLogger("httpx").warning("header Authorization: Bearer sk-proj-abcdefghijklmnopqrstu")
    finally:
        request_id.reset(token)
        logging.getLogger().removeHandler(handler)
    output = stream.getvalue()
    assert key not in output
    assert "abcdefghijklmnopqrstu" not in output
    assert output.count("[req-42]") == 2


def test_exceptions_in_logs_are_redacted_too() -> None:
    secret = "exception-" + fresh(12)
    redact.register([secret])
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
    try:
        raise RuntimeError(f"token {secret} rejected")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    line = orjson.loads(JsonFormatter().format(record))
    assert secret not in line["exception"]
    assert line["message"] == "failed"
