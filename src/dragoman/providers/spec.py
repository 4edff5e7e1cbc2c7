"""What a provider is, as data: `ProviderSpec` for a kind of upstream, `ModelInfo` for
each model it serves. Each provider folder exports one `SPEC`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dragoman.ir.models import ModelInfo

AuthStyle = Literal["bearer", "x-api-key", "x-goog-api-key", "none", "by_dialect"]

# How each dialect's own vendor expects an API key, for kinds that speak any dialect.
DIALECT_AUTH: dict[str, AuthStyle] = {
    "openai_chat": "bearer",
    "openai_responses": "bearer",
    "anthropic": "x-api-key",
    "gemini": "x-goog-api-key",
}

DIALECT_HEADERS: dict[str, dict[str, str]] = {
    "anthropic": {"anthropic-version": "2023-06-01"},
}


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """A kind of upstream. `dialects` lists what it can speak, the first by default."""

    kind: str
    dialects: tuple[str, ...]
    base_url: str | None
    auth: AuthStyle = "bearer"
    api_key_env: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    models: tuple[ModelInfo, ...] = ()
    needs_key: bool = True

    @property
    def default_dialect(self) -> str:
        return self.dialects[0]
