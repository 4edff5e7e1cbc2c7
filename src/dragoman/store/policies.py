"""Pool policy overrides kept in the database: what `accounts set/enable/disable` and the
admin API change, for any account (a `[providers.NAME]` table or a stored one).

One row per label, each field NULL when not overridden, so that changing the priority
leaves the configured weight as it is. Precedence, field by field: the stored override,
then the `[providers.NAME]` field, then the default (`pools.settings.AccountPolicy`).
`max_concurrent` stores NO_LIMIT (0) for "no limit, whatever the config says", since
NULL already means "not overridden".

The gateway merges these into its pools' policies when it (re)configures them, never
per request. Like `accounts`, this module does not import SQLAlchemy
(`policy_store` does).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import RowMapping

    from dragoman.pools.settings import AccountPolicy

NO_LIMIT = 0
FIELDS = ("priority", "weight", "max_concurrent", "enabled")


@dataclass(frozen=True, slots=True)
class PolicyOverride:
    label: str
    priority: int | None = None
    weight: float | None = None
    max_concurrent: int | None = None  # NO_LIMIT: no limit
    enabled: bool | None = None
    updated_at: float = 0.0

    def apply(self, policy: AccountPolicy) -> AccountPolicy:
        """`policy` with the overridden fields replaced."""
        limit = policy.max_concurrent if self.max_concurrent is None else (self.max_concurrent or None)
        return replace(
            policy,
            priority=policy.priority if self.priority is None else self.priority,
            weight=policy.weight if self.weight is None else self.weight,
            max_concurrent=limit,
            enabled=policy.enabled if self.enabled is None else self.enabled,
        )

    @property
    def overridden(self) -> tuple[str, ...]:
        return tuple(name for name in FIELDS if getattr(self, name) is not None)

    def changed(self, changes: Mapping[str, Any], now: float) -> PolicyOverride:
        """This override with `changes` (field -> value; max_concurrent None: no limit)."""
        values = {name: changes[name] for name in FIELDS if name in changes}
        if "max_concurrent" in values and values["max_concurrent"] is None:
            values["max_concurrent"] = NO_LIMIT
        return replace(self, **values, updated_at=now)


def effective(label: str, policy: AccountPolicy, overrides: Mapping[str, PolicyOverride]) -> AccountPolicy:
    """The policy an account serves under: its override, if any, over `policy`."""
    override = overrides.get(label)
    return policy if override is None else override.apply(policy)


_FIELDS = fields(PolicyOverride)


def override_values(override: PolicyOverride) -> dict[str, Any]:
    return {item.name: getattr(override, item.name) for item in _FIELDS}


def overrides_from_rows(
    rows: Iterable[Mapping[str, Any]] | Iterable[RowMapping],
) -> dict[str, PolicyOverride]:
    found = {}
    for row in rows:
        enabled = row["enabled"]
        values = {**row, "enabled": None if enabled is None else bool(enabled)}
        found[row["label"]] = PolicyOverride(**{item.name: values[item.name] for item in _FIELDS})
    return found
