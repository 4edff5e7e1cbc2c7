"""The schema of `[auto]` (the tiers `model: "auto"` picks from) and `[[routing.rules]]`
(rules as data), read by `dragoman.policy`.

A rule that does not validate is refused with its name and the field at fault, so a
config with twenty rules says which one is wrong (`RoutingConfig._named_rules`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from dragoman.config.masking import masked, masked_headers
from dragoman.ir.request import Effort
from dragoman.observe.traces.clients import FAMILY_NAMES

TierName = Literal["simple", "medium", "complex", "reasoning"]
DialectName = Literal["openai_chat", "openai_responses", "anthropic", "gemini"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TierMap(_Strict):
    """A model per tier; a tier left out takes the default map's model."""

    simple: str | None = None
    medium: str | None = None
    complex: str | None = None
    reasoning: str | None = None

    @field_validator("simple", "medium", "complex", "reasoning")
    @classmethod
    def _not_auto(cls, value: str | None) -> str | None:
        if value is not None and (value == "auto" or value.startswith("auto/")):
            raise ValueError("a tier names a real model, not auto")
        return value


class AutoProfile(_Strict):
    tiers: TierMap = Field(default_factory=TierMap)


class AutoFloors(_Strict):
    """The lowest tier a request with images, or offering tools, is given."""

    images: TierName | None = "complex"
    tools: TierName | None = "medium"


class AutoConfig(_Strict):
    """`[auto]`: `[auto.tiers]`, `[auto.profiles.<name>.tiers]`, `[auto.floors]`."""

    tiers: TierMap = Field(default_factory=TierMap)
    profiles: dict[str, AutoProfile] = Field(default_factory=dict)
    floors: AutoFloors = Field(default_factory=AutoFloors)
    # How long a session keeps the highest tier it reached, renewed by each request.
    session_ttl: Annotated[float, Field(gt=0)] = 3600.0


class RuleMatch(_Strict):
    """What a request must show for its rule to apply: every field given must hold."""

    client: str | None = None
    key: str | None = None
    model: str | None = None  # a glob: "claude-*haiku*"
    dialect: DialectName | None = None
    # Masked as provider headers are: a rule may match on a credential-named header.
    header: Annotated[dict[str, str], masked(masked_headers)] = Field(default_factory=dict)
    min_tokens: Annotated[int, Field(ge=0)] | None = None
    # Strict: `images = "no"` is a mistake, not True.
    tools: StrictBool | None = None
    images: StrictBool | None = None

    @field_validator("client")
    @classmethod
    def _known_family(cls, value: str | None) -> str | None:
        if value is not None and value not in FAMILY_NAMES:
            raise ValueError(f"unknown client {value!r} (known: {', '.join(sorted(FAMILY_NAMES))})")
        return value

    @field_validator("header")
    @classmethod
    def _lower_names(cls, value: dict[str, str]) -> dict[str, str]:
        return {name.lower(): text for name, text in value.items()}


class RuleSet(_Strict):
    model: str | None = None
    provider: str | None = None
    reasoning_effort: Effort | None = None

    @model_validator(mode="after")
    def _something(self) -> RuleSet:
        if self.model is None and self.provider is None and self.reasoning_effort is None:
            raise ValueError("set names none of model, provider, reasoning_effort")
        return self


class Rule(_Strict):
    name: Annotated[str, Field(min_length=1)]
    match: RuleMatch = Field(default_factory=RuleMatch)
    set: RuleSet | None = None
    deny: Annotated[str, Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _one_action(self) -> Rule:
        if (self.set is None) == (self.deny is None):
            raise ValueError('a rule has either set = {...} or deny = "message", not both, not neither')
        return self


class RoutingConfig(_Strict):
    """`[[routing.rules]]`, matched in order, the first that matches applies."""

    rules: list[Rule] = Field(default_factory=list)

    @field_validator("rules", mode="before")
    @classmethod
    def _named_rules(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        return [_rule(raw, number) for number, raw in enumerate(value, start=1)]

    @field_validator("rules")
    @classmethod
    def _unique_names(cls, rules: list[Rule]) -> list[Rule]:
        seen: set[str] = set()
        for rule in rules:
            if rule.name in seen:
                raise ValueError(f"rule {rule.name!r}, field name: two rules have this name")
            seen.add(rule.name)
        return rules


def _rule(raw: Any, number: int) -> Rule:
    """One rule validated, its errors naming it (by name, else by its place)."""
    name = raw.get("name") if isinstance(raw, dict) else None
    try:
        return Rule.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(step) for step in first["loc"]) or "(the rule)"
        called = repr(name) if isinstance(name, str) and name else f"#{number}"
        raise ValueError(f"rule {called}, field {field}: {first['msg']}") from None
