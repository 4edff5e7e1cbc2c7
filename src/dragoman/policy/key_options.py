"""A local key's options as given (`dragoman keys create --budget 20usd/month ...`, the
admin API's JSON, `[admin_limits]`), checked, and turned into its `LocalKey`.

The options are kept as given, so `keys show` prints them back as they were written;
the limits are read from them (`policy.quantities`) whenever the key is loaded, in the
time zone of the config then in force. `expires` is kept as given too, but resolved to
a moment once, when it is set: `30d` means thirty days from then, not from each load.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dragoman.policy import quantities
from dragoman.policy.keys import LocalKey

Glob = Annotated[str, Field(min_length=1, max_length=256)]
Amount = Annotated[str, Field(min_length=1, max_length=64)]


class KeyOptions(BaseModel):
    """Every option a key takes; None: not set. Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    models: list[Glob] | None = None
    deny: list[Glob] | None = None
    budget: Amount | None = None
    tokens: Amount | None = None
    requests: Amount | None = None
    rpm: Amount | int | None = None
    tpm: Amount | int | None = None
    max_concurrent: Annotated[int, Field(ge=1)] | None = None
    max_output_tokens: Annotated[int, Field(ge=1)] | None = None
    expires: Amount | None = None
    guard: Annotated[float, Field(gt=0, le=100)] | None = None

    @field_validator("budget", "tokens", "requests", "rpm", "tpm")
    @classmethod
    def _a_limit(cls, value: object, info: Any) -> object:
        if value is not None:
            quantities.limit(info.field_name, value, "UTC")  # the form; the zone is the config's at load
        return value

    @field_validator("expires")
    @classmethod
    def _a_time(cls, value: str | None) -> str | None:
        if value is not None:
            quantities.expiry(value, 0.0)
        return value

    def given(self) -> dict[str, Any]:
        """The options set, as JSON values (what is stored and shown)."""
        return self.model_dump(exclude_none=True)


# The options `[admin_limits]` takes: an admin key is not limited to models, nor expires.
ADMIN_LIMIT_FIELDS = ("budget", "tokens", "requests", "rpm", "tpm", "max_concurrent", "max_output_tokens")


def options_of(values: Mapping[str, Any]) -> KeyOptions:
    """Options read from JSON values; ValueError naming each bad option."""
    try:
        return KeyOptions.model_validate(dict(values))
    except ValidationError as error:
        raise ValueError(problems(error)) from None


def problems(error: ValidationError) -> str:
    said = []
    for problem in error.errors(include_url=False):
        field = ".".join(str(part) for part in problem["loc"] if not isinstance(part, int)) or "options"
        if problem["type"] == "extra_forbidden":
            said.append(f"{field}: not a key option (they are {', '.join(KeyOptions.model_fields)})")
            continue
        message = str(problem["msg"]).removeprefix("Value error, ")
        said.append(message if message.startswith("--") else f"{field}: {message}")
    return "; ".join(dict.fromkeys(said))


def changed(held: Mapping[str, Any], changes: Mapping[str, Any]) -> KeyOptions:
    """`held` options with `changes` laid over them (a None value unsets one)."""
    merged = {**held, **changes}
    return options_of({name: value for name, value in merged.items() if value is not None})


def local_key(
    name: str, options: Mapping[str, Any], zone: str, *, expires: float | None = None, admin: bool = False
) -> LocalKey:
    """The key these stored options make (already checked when they were stored)."""
    models, deny = options.get("models") or (), options.get("deny") or ()
    return LocalKey(
        name=name,
        admin=admin,
        models=tuple(models),
        deny=tuple(deny),
        limits=quantities.limits(options, zone),
        max_concurrent=options.get("max_concurrent"),
        max_output_tokens=options.get("max_output_tokens"),
        expires=expires,
        guard_percent=options.get("guard"),
    )
