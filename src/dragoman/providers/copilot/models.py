"""Models a Copilot plan commonly reaches, by Copilot's own ids (dotted versions:
`claude-sonnet-4.5`, not Anthropic's `claude-sonnet-4-5`). Which ones an account may use
is its plan's and its organisation's policy: the backend refuses the others. Limits are
left unsaid here; Copilot's `/models` answer states them per account."""

from functools import partial

from dragoman.providers.spec import ModelInfo

_thinking = partial(ModelInfo, vision=True, reasoning=True)

MODELS = (
    _thinking("claude-sonnet-4.5", display_name="Claude Sonnet 4.5"),
    _thinking("claude-opus-4.5", display_name="Claude Opus 4.5"),
    _thinking("claude-haiku-4.5", display_name="Claude Haiku 4.5"),
    _thinking("gpt-5", display_name="GPT-5"),
    _thinking("gpt-5-mini", display_name="GPT-5 mini"),
    _thinking("gpt-5-codex", display_name="GPT-5 Codex"),
    ModelInfo("gpt-4.1", vision=True, display_name="GPT-4.1"),
    _thinking("gemini-2.5-pro", display_name="Gemini 2.5 Pro"),
)
