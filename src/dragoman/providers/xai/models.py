"""xAI Grok models on the API: ids, limits and capabilities, as data.

Checked 2026-11: context windows from xAI's model pages as quoted by Zoo-Code (grok-4.5),
Runware (grok-4.7) and Vercel AI Gateway (grok-4.3, grok-4.20); sources disagree on the
grok-4.20 window (1M or 2M), so the smaller is listed. No maximum output is published
(`max_output_tokens` defaults to 128,000 per docs.x.ai best practices), so none is set,
nor a window for grok-4.6, which no source consulted states.

Image models (`POST /v1/images/generations` and `/v1/images/edits`), checked 2026-12: grok-imagine-image
and grok-imagine-image-quality, the ids gateways relaying to xAI's own API list
(Crazyrouter's and APIYI's image pages, edgequake's xAI provider).
"""

from functools import partial

from dragoman.providers.spec import ModelInfo

_grok = partial(ModelInfo, vision=True, reasoning=True)

MODELS = (
    _grok("grok-4.7", 500_000, display_name="Grok 4.7"),
    _grok("grok-4.6", display_name="Grok 4.6"),
    _grok("grok-4.5", 500_000, display_name="Grok 4.5"),
    _grok("grok-4.3", 1_000_000, display_name="Grok 4.3"),
    _grok("grok-4.20-reasoning", 1_000_000, display_name="Grok 4.20 Reasoning"),
    ModelInfo("grok-4.20-non-reasoning", 1_000_000, vision=True, display_name="Grok 4.20"),
    *(
        ModelInfo(model, tools=False, images=True, display_name=name)
        for model, name in (
            ("grok-imagine-image", "Grok Imagine Image"),
            ("grok-imagine-image-quality", "Grok Imagine Image Quality"),
        )
    ),
)
