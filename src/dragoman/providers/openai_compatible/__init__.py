"""Any server that speaks one of the four dialects at a base URL of your choosing
(Ollama, vLLM, llama.cpp, LM Studio, OpenRouter, Groq, DeepSeek, ...).

`dialect` picks the wire format (Chat Completions by default); a key, when given, is
sent the way that dialect's own vendor expects it, and none is required. The models
are the ones the config lists: there is no built-in list for an unknown server."""

from dragoman.providers.spec import ProviderSpec

__all__ = ["SPEC"]

SPEC = ProviderSpec(
    kind="openai_compatible",
    counts_tokens=True,
    dialects=("openai_chat", "openai_responses", "anthropic", "gemini"),
    base_url=None,
    auth="by_dialect",
    needs_key=False,
    # Every dialect lists at /models under its base URL (/v1/models, /v1beta/models).
    models_path="/models",
)
