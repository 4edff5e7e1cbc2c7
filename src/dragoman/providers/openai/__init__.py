"""OpenAI's API with an API key: Chat Completions or Responses."""

from dragoman.providers.openai.models import MODELS
from dragoman.providers.spec import ProviderSpec

SPEC = ProviderSpec(
    kind="openai",
    dialects=("openai_responses", "openai_chat"),
    base_url="https://api.openai.com/v1",
    auth="bearer",
    api_key_env="OPENAI_API_KEY",
    models=MODELS,
)
