"""Gemini models a Gemini CLI login reaches through Code Assist.

Code Assist serves the models Gemini CLI asks for, by the same ids as the Gemini API
(bare, without `models/`), so the lineup is the gemini kind's (providers/gemini/models.py,
checked 2026-11, which names what Gemini CLI 0.61 routes to). Which of them a tier
includes is the backend's decision: it answers a model the account lacks with an error.
"""

from __future__ import annotations

from dragoman.providers.gemini.models import MODELS

__all__ = ["MODELS"]
