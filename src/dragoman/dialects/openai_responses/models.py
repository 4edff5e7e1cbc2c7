"""The Responses API lists models exactly as Chat Completions does."""

from dragoman.dialects.openai_chat.models import LIST_QUERY, next_page, parse_list, render_list, render_one

__all__ = ["LIST_QUERY", "next_page", "parse_list", "render_list", "render_one"]
