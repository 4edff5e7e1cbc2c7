"""Google's public Generative Language API with an API key."""

from dragoman.providers.gemini.models import MODELS
from dragoman.providers.spec import ProviderSpec

SPEC = ProviderSpec(
    kind="gemini",
    dialects=("gemini",),
    base_url="https://generativelanguage.googleapis.com/v1beta",
    auth="x-goog-api-key",
    api_key_env="GEMINI_API_KEY",
    models=MODELS,
)
