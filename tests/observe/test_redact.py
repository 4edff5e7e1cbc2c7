from __future__ import annotations

import io
import logging

import orjson

from dragoman.observe import redact
from dragoman.observe.log import JsonFormatter, RedactingFilter, configure, request_id


def test_registered_secrets_are_masked_anywhere_in_text() -> None:
    redact.register(["local-secret-value"])
    assert redact.redact("key=local-secret-value;") == "key=***;"


def test_key_shapes_are_masked_without_registration() -> None:
    text = (
        "sk-ant-api03-abcdefghijklmnop AIzaSyA1234567890abcdefghijk Bearer abcdefgh12345 xai-abcdefghijklmnop"
    )
    masked = redact.redact(text)
    for secret in ("abcdefghijklmnop", "AIzaSyA1234567890", "abcdefgh12345"):
        assert secret not in masked


def test_short_values_are_not_registered() -> None:
    redact.register(["ab"])
    assert redact.redact("abc ab") == "abc ab"


def test_mask_keeps_only_ends() -> None:
    assert redact.mask("sk-1234567890abcdef") == "sk-1***cdef"
    assert redact.mask("short") == "***"


def test_every_log_line_is_redacted_and_carries_the_request_id() -> None:
    redact.register(["provider-key-0123456789"])
    stream = io.StringIO()
    handler = configure("info", "text", stream)
    token = request_id.set("req-42")
    try:
        logging.getLogger("anything").warning("calling with %s", "provider-key-0123456789")
        logging.getLogger("httpx").warning("header Authorization: Bearer sk-proj-abcdefghijklmnopqrstu")
    finally:
        request_id.reset(token)
        logging.getLogger().removeHandler(handler)
    output = stream.getvalue()
    assert "provider-key-0123456789" not in output
    assert "abcdefghijklmnopqrstu" not in output
    assert output.count("[req-42]") == 2


def test_exceptions_in_logs_are_redacted_too() -> None:
    redact.register(["exception-secret-123"])
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
    try:
        raise RuntimeError("token exception-secret-123 rejected")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    line = orjson.loads(JsonFormatter().format(record))
    assert "exception-secret-123" not in line["exception"]
    assert line["message"] == "failed"
