"""What is known about a model, for model lists in every dialect."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A model as a provider serves it: limits and capabilities, as data."""

    id: str
    context_window: int | None = None
    max_output_tokens: int | None = None
    tools: bool = True
    vision: bool = False
    reasoning: bool = False
    display_name: str | None = None
    images: bool = False  # generates images (`POST /v1/images/generations`), not text
    # The vendor's own router (Kiro's and Cursor's `auto`): the model behind it varies
    # from request to request, so it has no one price.
    router: bool = False


@dataclass(frozen=True, slots=True)
class ModelCard:
    """A row of a model list: the id a client asks for, who serves it, what it is."""

    id: str
    owned_by: str
    info: ModelInfo
