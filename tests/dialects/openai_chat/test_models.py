from __future__ import annotations

import pytest

from dragoman.dialects.openai_chat.models import next_page, parse_list


def test_an_openai_list_gives_ids_and_whatever_limits_the_server_adds() -> None:
    body = {
        "object": "list",
        "data": [
            {"id": "gpt-5", "object": "model", "created": 1, "owned_by": "openai"},
            {"id": "qwen3", "object": "model", "max_model_len": 32_768},
            {
                "id": "router/x",
                "name": "X",
                "context_length": 200_000,
                "top_provider": {"max_completion_tokens": 8_192},
            },
            {"id": "ours", "context_window": 400_000, "max_output_tokens": 128_000},
            {"id": ""},
            {"object": "model"},
            "junk",
        ],
    }
    models = parse_list(body)
    assert [m.id for m in models] == ["gpt-5", "qwen3", "router/x", "ours"]
    assert (models[0].context_window, models[0].max_output_tokens) == (None, None)
    assert models[1].context_window == 32_768
    assert (models[2].context_window, models[2].max_output_tokens, models[2].display_name) == (
        200_000,
        8_192,
        "X",
    )
    assert (models[3].context_window, models[3].max_output_tokens) == (400_000, 128_000)
    assert next_page(body) is None


@pytest.mark.parametrize("body", [{"models": []}, [], "x", {"data": "x"}])
def test_anything_else_is_no_model_list(body: object) -> None:
    with pytest.raises(ValueError, match="not an OpenAI model list"):
        parse_list(body)
