"""Grok models on a SuperGrok / X Premium subscription: the same models as xAI's API
(providers/xai), served by the Grok CLI's chat service. Which ones a tier allows is
the service's to say (it answers 403 to the others)."""

from dragoman.providers.xai.models import MODELS

__all__ = ["MODELS"]
