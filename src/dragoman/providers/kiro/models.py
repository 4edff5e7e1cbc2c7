"""Models a Kiro plan commonly reaches, by Kiro's own ids (dotted versions, and `auto`,
Kiro's own choice). Which ones an account may use is its plan's: the runtime refuses
the others. Kiro's Claude models have a 200 k context window."""

from functools import partial

from dragoman.providers.spec import ModelInfo

_claude = partial(ModelInfo, context_window=200_000, vision=True)

MODELS = (
    _claude("auto", display_name="Kiro auto", router=True),
    _claude("claude-sonnet-4.5", display_name="Claude Sonnet 4.5"),
    _claude("claude-sonnet-4", display_name="Claude Sonnet 4"),
    _claude("claude-haiku-4.5", display_name="Claude Haiku 4.5"),
    _claude("claude-opus-4.5", display_name="Claude Opus 4.5"),
)
