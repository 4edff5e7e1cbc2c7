"""Google's public Generative Language API (`/v1beta`) with an API key sent as
`x-goog-api-key`."""

from dragoman.providers.gemini.models import MODELS
from dragoman.providers.gemini.quirks import fix_request
from dragoman.providers.spec import ProviderSpec

__all__ = ["SPEC"]

SPEC = ProviderSpec(
    kind="gemini",
    counts_tokens=True,
    dialects=("gemini",),
    base_url="https://generativelanguage.googleapis.com/v1beta",
    auth="x-goog-api-key",
    api_key_env="GEMINI_API_KEY",
    models=MODELS,
    fix_request=fix_request,
    # GET /models (paged by pageToken), read by dialects/gemini/models.py.
    models_path="/models",
    # Its image models draw through generateContent (server/images_gemini.py).
    images_path="/models/{model}:generateContent",
    image_edits_path="/models/{model}:generateContent",
)
