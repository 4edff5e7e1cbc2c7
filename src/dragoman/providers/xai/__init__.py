"""xAI's Grok over its Responses API (Chat Completions is deprecated there), with an API
key sent as a bearer token; its image models on its OpenAI-style images API."""

from dragoman.providers.spec import ProviderSpec
from dragoman.providers.xai.models import MODELS
from dragoman.providers.xai.quirks import fix_request

__all__ = ["SPEC"]

SPEC = ProviderSpec(
    kind="xai",
    dialects=("openai_responses",),
    base_url="https://api.x.ai/v1",
    auth="bearer",
    api_key_env="XAI_API_KEY",
    models=MODELS,
    fix_request=fix_request,
    models_path="/models",
    images_path="/images/generations",
    image_edits_path="/images/edits",
)
