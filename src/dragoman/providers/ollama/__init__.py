"""A local Ollama server through its OpenAI-compatible API, no key needed.

Found at start when `detect_ollama` is on and nothing of kind "ollama" is configured
(see `detect.py`); its models are whatever it has pulled, read live."""

from dragoman.providers.spec import ProviderSpec

__all__ = ["SPEC"]

SPEC = ProviderSpec(
    kind="ollama",
    dialects=("openai_chat",),
    base_url="http://127.0.0.1:11434/v1",
    auth="bearer",
    needs_key=False,
    # Its OpenAI-compatible list (GET /v1/models), refreshed like any other live list.
    models_path="/models",
)
