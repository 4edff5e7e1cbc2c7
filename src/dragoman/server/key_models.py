"""A named key's models: the one a request is served with must be among those it
allows (`--models`) and outside those it denies (`--deny`), or a 403 names the key.

What is checked is the model the request is served with once routing rules and `auto`
have chosen it, under both its names (as asked, `label/model`, and the upstream's own
id): a rule or `auto` steering a request to a model the key may not use is refused,
whatever name the client sent. A fallback chain's models the key may not use are
passed over, as if out of accounts.
"""

from __future__ import annotations

from collections.abc import Sequence

from dragoman.ir.errors import PermissionDenied
from dragoman.policy.keys import LocalKey
from dragoman.routing.registry import Route


def allowed(key: LocalKey | None, model: str, routes: Sequence[Route] = ()) -> bool:
    if key is None or not (key.models or key.deny):
        return True
    return key.allows(model, *(route.model for route in routes[:1]))


def require(key: LocalKey | None, model: str, routes: Sequence[Route] = ()) -> None:
    """PermissionDenied unless the key may use the model."""
    if not allowed(key, model, routes):
        assert key is not None
        raise PermissionDenied(refusal(key, model))


def refusal(key: LocalKey, model: str) -> str:
    said = f"key {key.name} may not use model {model}"
    if key.models:
        said += f" (it allows {', '.join(key.models)})"
    return said
