"""Gemini models served with an API key: ids, limits and capabilities, as data.

Checked 2026-11 against the model pages on ai.google.dev (input token limit as the
context window, output token limit). Every one reads images, calls tools and thinks.
Gemini CLI 0.61 routes with gemini-3.5-flash-lite, then asks for gemini-3.8-flash or
its default gemini-3.1-pro-preview; the google-genai SDK examples use gemini-2.5-flash.

Image models (checked 2026-12: ai.google.dev's image generation guide, gateways' model
pages): asked through `POST /v1/images/generations` (server/images_gemini.py); they
read images too.
"""

from functools import partial

from dragoman.providers.spec import ModelInfo

_gemini = partial(ModelInfo, vision=True, reasoning=True)

MODELS = (
    _gemini("gemini-3.1-pro-preview", 1_048_576, 65_536, display_name="Gemini 3.1 Pro Preview"),
    _gemini("gemini-3.8-flash", 1_048_576, 65_536, display_name="Gemini 3.8 Flash"),
    _gemini("gemini-3.5-flash-lite", 1_048_576, 65_536, display_name="Gemini 3.5 Flash-Lite"),
    _gemini("gemini-3-flash-preview", 1_048_576, 65_536, display_name="Gemini 3 Flash Preview"),
    # Gemini 2.5 stays on the Gemini API (only Vertex AI retired it, on 2026-10-20).
    _gemini("gemini-2.5-pro", 1_048_576, 65_536, display_name="Gemini 2.5 Pro"),
    _gemini("gemini-2.5-flash", 1_048_576, 65_536, display_name="Gemini 2.5 Flash"),
    _gemini("gemini-2.5-flash-lite", 1_048_576, 65_536, display_name="Gemini 2.5 Flash-Lite"),
    *(
        ModelInfo(model, tools=False, vision=True, images=True, display_name=name)
        for model, name in (
            ("gemini-3.1-flash-image-preview", "Gemini 3.1 Flash Image Preview"),
            ("gemini-3-pro-image-preview", "Gemini 3 Pro Image Preview"),
            ("gemini-2.5-flash-image", "Gemini 2.5 Flash Image"),
        )
    ),
)
