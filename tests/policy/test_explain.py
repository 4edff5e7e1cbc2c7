"""Guessing a saved body's dialect from its shape, and reading captured requests."""

from __future__ import annotations

import pytest

from dragoman.policy.explain import guess_dialect, saved
from tests.captures import load_all
from tests.policy.written import BUILDERS, SPECS, body


@pytest.mark.parametrize("dialect", sorted(BUILDERS))
def test_every_written_body_is_recognised(dialect: str) -> None:
    for spec in SPECS:
        assert guess_dialect(body(spec, dialect)) == dialect, spec.name


def test_every_captured_body_is_recognised_without_its_path() -> None:
    for capture in load_all():
        if capture.dialect is not None:
            assert guess_dialect(capture.body) == capture.dialect, capture.name


def test_a_capture_file_gives_its_body_headers_and_path() -> None:
    loaded = saved(
        {"method": "POST", "path": "/v1/messages", "headers": {"User-Agent": "x"}, "body": {"a": 1}}
    )
    assert (loaded.body, loaded.headers, loaded.path) == ({"a": 1}, {"user-agent": "x"}, "/v1/messages")
    assert guess_dialect({}, "/v1beta/models/g:streamGenerateContent?alt=sse") == "gemini"
    with pytest.raises(ValueError, match="no JSON object"):
        saved([1])
