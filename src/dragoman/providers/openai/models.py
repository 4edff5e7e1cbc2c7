"""OpenAI models served with an API key: ids, limits and capabilities, as data.

Checked 2026-11 against OpenAI's model pages as mirrored by Google Cloud Model Garden,
Vercel AI Gateway and provider listings (context windows are total: 922K input plus
128K output for the 1.05M models), and OpenAI's deprecations page for shutdown dates.
Codex CLI asks for gpt-6.1-sol by default and gpt-5.5 / gpt-5 when configured; the
openai Python SDK examples use gpt-5 and gpt-4o-mini.
"""

from functools import partial

from dragoman.providers.spec import ModelInfo

_reasoning = partial(ModelInfo, vision=True, reasoning=True)

MODELS = (
    # GPT-6 (Sep-Oct 2026): every one reasons and reads images.
    _reasoning("gpt-6-astra", 1_050_000, 128_000, display_name="GPT-6 Astra"),
    _reasoning("gpt-6.1-sol", 1_050_000, 128_000, display_name="GPT-6.1 Sol"),
    _reasoning("gpt-6.1-terra", 1_050_000, 128_000, display_name="GPT-6.1 Terra"),
    _reasoning("gpt-6-sol", 1_050_000, 128_000, display_name="GPT-6 Sol"),
    _reasoning("gpt-6-luna", 1_050_000, 128_000, display_name="GPT-6 Luna"),
    # GPT-5.x: gpt-5.6-sol is OpenAI's named replacement for gpt-5 and o3.
    _reasoning("gpt-5.6-sol", 1_050_000, 128_000, display_name="GPT-5.6 Sol"),
    _reasoning("gpt-5.6-terra", 1_050_000, 128_000, display_name="GPT-5.6 Terra"),
    _reasoning("gpt-5.5", 1_050_000, 128_000, display_name="GPT-5.5"),
    # Shut down on 2026-12-11 (gpt-5, gpt-5-mini) and 2027-01-14 (gpt-4.1, gpt-4o, gpt-4o-mini).
    _reasoning("gpt-5", 400_000, 128_000, display_name="GPT-5"),
    _reasoning("gpt-5-mini", 400_000, 128_000, display_name="GPT-5 mini"),
    ModelInfo("gpt-4.1", 1_047_576, 32_768, vision=True, display_name="GPT-4.1"),
    ModelInfo("gpt-4o", 128_000, 16_384, vision=True, display_name="GPT-4o"),
    ModelInfo("gpt-4o-mini", 128_000, 16_384, vision=True, display_name="GPT-4o mini"),
    # Image generation (the images API only), as the openai SDK 3.63 lists them current.
    *(
        ModelInfo(model, tools=False, vision=True, images=True, display_name=name)
        for model, name in (
            ("gpt-image-2.6-sunburst", "GPT Image 2.6 Sunburst"),
            ("gpt-image-2.6-flare", "GPT Image 2.6 Flare"),
            ("gpt-image-2.5-sunburst", "GPT Image 2.5 Sunburst"),
            ("gpt-image-2.5-flare", "GPT Image 2.5 Flare"),
            ("gpt-image-2", "GPT Image 2"),
            ("gpt-image-1.5", "GPT Image 1.5"),
            ("gpt-image-1-mini", "GPT Image 1 mini"),
        )
    ),
)
