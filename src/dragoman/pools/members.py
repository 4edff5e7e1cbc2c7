"""A pool as the selector keeps it: built once per model and reused by every request.

Everything that does not change between requests is worked out here: each account's
policy, the cooldown scopes its model is checked under, the tiers, and the candidate
values a choice hands out, so choosing allocates little beyond the list it returns.

Cooldown scopes (`dragoman.state.Health`): WHOLE_ACCOUNT ("") for the account, the
family's name ("fable", "bengalfox") for a model family, and `model:<id>` for one
upstream model, so a family never collides with a model id.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from dragoman.pools.exclusion import Exclusion
from dragoman.pools.settings import DEFAULT_POLICY, AccountPolicy, StrategyName
from dragoman.state.records import Cooldown

MODEL_SCOPE = "model:"


class Named(Protocol):
    @property
    def name(self) -> str: ...


class Target(Protocol):
    """What a pool is made of: `dragoman.routing.registry.Route` (an upstream account
    labelled `upstream.name`, and the model id it is asked for)."""

    @property
    def upstream(self) -> Named: ...

    @property
    def model(self) -> str: ...


R = TypeVar("R", bound=Target)


def model_scope(model: str) -> str:
    return MODEL_SCOPE + model


@dataclass(frozen=True, slots=True)
class Candidate(Generic[R]):
    """An account to try, and why it is in that place. `family` ("" for none) and
    `scope` (the model's) are the cooldown scopes its failures and successes touch;
    `limit` its `max_concurrent`."""

    route: R
    account: str
    reason: str
    family: str
    scope: str
    limit: int | None = None


class Member(Generic[R]):
    """One account of a pool: fixed facts, the weighted strategy's running score, and
    what the current choice measured (`busy`, `used`, `resets`)."""

    __slots__ = (
        "account",
        "bound",
        "busy",
        "cooled",
        "cooled_out",
        "counted",
        "current",
        "enabled",
        "family",
        "limit",
        "lower",
        "owned",
        "position",
        "priority",
        "ranked",
        "resets",
        "route",
        "scopes",
        "used",
        "weight",
    )

    def __init__(self, route: R, position: int, policy: AccountPolicy, family: str, strategy: str) -> None:
        self.route = route
        self.account = route.upstream.name
        self.position = position
        self.priority = policy.priority
        self.weight = policy.weight
        self.limit = policy.max_concurrent
        self.enabled = policy.enabled
        # Reading the in-flight count costs a shared-memory sum on the host backend:
        # only a limit or the least-used strategy needs it.
        self.counted = policy.max_concurrent is not None or strategy == "least-used"
        self.family = family
        scope = model_scope(route.model)
        self.scopes = (family, scope) if family else (scope,)
        self.ranked = self._candidate(f"strategy={strategy}", scope)
        self.lower = self._candidate(f"priority {policy.priority} ({strategy})", scope)
        self.bound = self._candidate("binding", scope)
        self.owned = self._candidate("continuation", scope)
        self.current = 0.0
        self.busy = 0
        self.used = 0.0
        self.resets = math.inf
        # The last cooldown that kept this account out, and the Exclusion made of it.
        self.cooled: Cooldown | None = None
        self.cooled_out: Exclusion | None = None

    def _candidate(self, reason: str, scope: str) -> Candidate[R]:
        return Candidate(self.route, self.account, reason, self.family, scope, self.limit)


class Pool(Generic[R]):
    """Every account serving one model, in (priority, configured position) order."""

    __slots__ = ("by_account", "cursor", "members", "model", "routes", "strategy")

    def __init__(
        self,
        model: str,
        routes: Sequence[R],
        strategy: StrategyName,
        policies: Mapping[str, AccountPolicy],
        family_of: Callable[[str], str],
    ) -> None:
        self.model = model
        self.routes = routes
        self.strategy = strategy
        built = [
            Member(route, n, _policy(policies, route), family_of(route.model), strategy)
            for n, route in enumerate(routes)
        ]
        built.sort(key=lambda member: (member.priority, member.position))
        self.members: tuple[Member[R], ...] = tuple(built)
        self.by_account: dict[str, Member[R]] = {}
        for member in reversed(built):  # an account listed twice: its first place wins
            self.by_account[member.account] = member
        self.cursor = 0


def _policy(policies: Mapping[str, AccountPolicy], route: Target) -> AccountPolicy:
    return policies.get(route.upstream.name, DEFAULT_POLICY)
