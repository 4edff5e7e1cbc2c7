"""Claude models a Pro or Max login reaches.

A subscription calls the same Messages API with the same model ids as an API key, so
the lineup is the anthropic kind's (providers/anthropic/models.py, checked 2026-11).
Which of them a plan includes (Opus on Pro, for one) is the backend's decision: it
answers a model the plan lacks with an error the client sees as is.
"""

from __future__ import annotations

from dragoman.providers.anthropic.models import MODELS

__all__ = ["MODELS"]
