from __future__ import annotations

import pytest

from dragoman.dialects.anthropic.models import next_page, parse_list


def entry(model_id: str, **fields: object) -> dict[str, object]:
    return {
        "type": "model",
        "id": model_id,
        "display_name": model_id.title(),
        "created_at": "2025-01-01T00:00:00Z",
        **fields,
    }


def test_limits_and_capabilities_come_from_the_list_and_retired_models_are_left_out() -> None:
    capabilities = {"image_input": {"supported": True}, "thinking": {"supported": True, "types": {}}}
    body = {
        "data": [
            entry("claude-new", max_input_tokens=1_000_000, max_tokens=64_000, capabilities=capabilities),
            entry("claude-plain"),
            entry("claude-old", lifecycle="retired"),
        ],
        "has_more": False,
        "last_id": "claude-old",
    }
    new, plain = parse_list(body)
    assert (new.id, new.context_window, new.max_output_tokens, new.vision, new.reasoning) == (
        "claude-new", 1_000_000, 64_000, True, True,
    )  # fmt: skip
    assert (plain.context_window, plain.vision, plain.reasoning, plain.display_name) == (
        None,
        False,
        False,
        "Claude-Plain",
    )
    assert next_page(body) is None


def test_the_next_page_follows_the_last_id() -> None:
    assert next_page({"data": [], "has_more": True, "last_id": "m9"}) == {"limit": "1000", "after_id": "m9"}
    assert next_page({"data": [], "has_more": True}) is None


def test_anything_else_is_no_model_list() -> None:
    with pytest.raises(ValueError, match="not an Anthropic model list"):
        parse_list({"models": []})
