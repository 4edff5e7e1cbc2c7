"""Upstream URLs never leave the provider's base path, whatever the spelling of a dot
segment, and a model id put into a URL path is plain path text."""

from __future__ import annotations

import pytest

from dragoman.ir.errors import InvalidRequest
from dragoman.providers.paths import join, path_safe_model

BASE = "https://api.example/base/v1"

ESCAPES = [
    "/../../escaped",
    "/models/../../../escaped",
    "/%2e%2e/%2e%2e/escaped",
    "/%2E%2e/escaped",
    "/..%2f..%2fescaped",
    "/..%2F..%2Fescaped",
    "/%252e%252e/escaped",
    "/..\\..\\escaped",
    "/..%5c..%5cescaped",
    "/a/..",
    "/./x",
    "/models/x#frag",
    "/models/../x:generateContent?alt=sse",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_a_dot_segment_in_any_spelling_is_refused(path: str) -> None:
    with pytest.raises(InvalidRequest, match="outside the provider's base path"):
        join(BASE, path)


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
        "/files/file-abc.jsonl",
        "/models/v1.5..x",
        "/a...b/..c/d..",
        ":generateContent",
        "/models?after=../x",  # a query is not a path
    ],
)
def test_ordinary_paths_are_joined_as_they_are(path: str) -> None:
    assert join(BASE, path) == BASE + path


@pytest.mark.parametrize(
    "model",
    [
        "../../../escaped",
        "a/../../b",
        "%2e%2e/x",
        "x?key=1",
        "x#y",
        "x\\..\\y",
        "a b",
        "line\nbreak",
        ".",
        "",
    ],
)
def test_a_model_id_that_is_not_plain_path_text_is_refused(model: str) -> None:
    with pytest.raises(InvalidRequest, match="model"):
        path_safe_model(model)


@pytest.mark.parametrize(
    "model", ["gemini-2.5-flash", "models/gemini-2.5-pro", "llama3:8b", "hf.co/org/repo:Q4_K_M", "v1.5"]
)
def test_ordinary_model_ids_pass(model: str) -> None:
    assert path_safe_model(model) == model
