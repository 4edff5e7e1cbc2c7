"""Any server that speaks one of the four dialects at a base URL of your choosing
(Ollama, vLLM, llama.cpp, LM Studio, OpenRouter, Groq, DeepSeek, ...)."""

from dragoman.providers.spec import ProviderSpec

SPEC = ProviderSpec(
    kind="openai_compatible",
    dialects=("openai_chat", "openai_responses", "anthropic", "gemini"),
    base_url=None,
    auth="by_dialect",
    needs_key=False,
)
