"""Anthropic's Messages API with an API key (`x-api-key`, `anthropic-version: 2023-06-01`).

An Anthropic client's `anthropic-beta` flags (Claude Code sends several) reach the API;
clients of other dialects have none to send."""

from dragoman.providers.anthropic.models import MODELS
from dragoman.providers.anthropic.quirks import fix_request
from dragoman.providers.spec import ProviderSpec

__all__ = ["SPEC"]

SPEC = ProviderSpec(
    kind="anthropic",
    counts_tokens=True,
    dialects=("anthropic",),
    base_url="https://api.anthropic.com/v1",
    auth="x-api-key",
    api_key_env="ANTHROPIC_API_KEY",
    headers={"anthropic-version": "2023-06-01"},
    models=MODELS,
    forward_headers=("anthropic-beta",),
    fix_request=fix_request,
    # GET /models (paged by after_id), read by dialects/anthropic/models.py.
    models_path="/models",
)
