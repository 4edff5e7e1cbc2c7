"""OpenAI's API with an API key: Responses by default, or Chat Completions with
`dialect = "openai_chat"` (GPT-6 Astra and GPT-6.1 Sol call tools only over Responses)."""

from dragoman.providers.openai.models import MODELS
from dragoman.providers.openai.quirks import fix_request
from dragoman.providers.spec import ProviderSpec

__all__ = ["SPEC"]

SPEC = ProviderSpec(
    kind="openai",
    counts_tokens=True,
    dialects=("openai_responses", "openai_chat"),
    base_url="https://api.openai.com/v1",
    auth="bearer",
    api_key_env="OPENAI_API_KEY",
    models=MODELS,
    fix_request=fix_request,
    compaction=True,
    images_path="/images/generations",
    image_edits_path="/images/edits",
    # GET /models, in the dialect's list shape (dialects/<d>/models.py:parse_list).
    models_path="/models",
)
