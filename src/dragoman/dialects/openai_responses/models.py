"""The Responses API lists models exactly as Chat Completions does."""

from dragoman.dialects.openai_chat.models import render_list, render_one

__all__ = ["render_list", "render_one"]
