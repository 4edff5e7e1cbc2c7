from __future__ import annotations

import pytest

from dragoman.dialects.gemini.models import next_page, parse_list


def test_only_models_that_generate_content_with_their_limits() -> None:
    body = {
        "models": [
            {
                "name": "models/gemini-2.5-pro",
                "displayName": "Gemini 2.5 Pro",
                "inputTokenLimit": 1_048_576,
                "outputTokenLimit": 65_536,
                "supportedGenerationMethods": ["generateContent", "countTokens"],
                "thinking": True,
            },
            {"name": "models/text-embedding-004", "supportedGenerationMethods": ["embedContent"]},
            {"name": "models/gemma-3"},
            {"name": "models/"},
            {"displayName": "nameless"},
        ],
        "nextPageToken": "abc",
    }
    pro, gemma = parse_list(body)
    assert (pro.id, pro.context_window, pro.max_output_tokens, pro.reasoning, pro.display_name) == (
        "gemini-2.5-pro", 1_048_576, 65_536, True, "Gemini 2.5 Pro",
    )  # fmt: skip
    assert (gemma.id, gemma.context_window, gemma.reasoning) == ("gemma-3", None, False)
    assert next_page(body) == {"pageSize": "1000", "pageToken": "abc"}
    assert next_page({"models": []}) is None


def test_an_empty_answer_is_an_empty_list_and_anything_else_no_list() -> None:
    assert parse_list({}) == []
    with pytest.raises(ValueError, match="not a Gemini model list"):
        parse_list({"models": {}})
