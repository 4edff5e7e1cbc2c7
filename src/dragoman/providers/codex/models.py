"""Models a ChatGPT plan serves through the Codex backend.

The backend's own list (`GET /models?client_version=...`) has a shape of its own and
asks for a Codex CLI version, so none is read live: these are the ids Codex CLI offers
(its default gpt-6.1-sol, and gpt-5.5 / gpt-5 when configured; see providers/openai),
with OpenAI's published limits. Any other id the plan allows works as `LABEL/model`.
"""

from dragoman.providers.openai.models import MODELS as OPENAI_MODELS

CODEX_IDS = ("gpt-6.1-sol", "gpt-6.1-terra", "gpt-6-astra", "gpt-5.6-sol", "gpt-5.5", "gpt-5")

_BY_ID = {model.id: model for model in OPENAI_MODELS}
# Codex CLI's default first: `dragoman test` and the fallback order start there.
MODELS = tuple(_BY_ID[model_id] for model_id in CODEX_IDS)
