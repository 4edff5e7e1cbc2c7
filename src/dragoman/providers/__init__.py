"""Upstreams, one folder each. A folder exports `SPEC`; `discover()` finds them all,
so adding an upstream means adding a folder, with no registry to edit."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from dragoman.providers.spec import ModelInfo, ProviderSpec

__all__ = ["ModelInfo", "ProviderSpec", "discover"]


@cache
def discover() -> dict[str, ProviderSpec]:
    """Every provider kind in this package, by kind name."""
    specs: dict[str, ProviderSpec] = {}
    for module in pkgutil.iter_modules(__path__):
        if not module.ispkg:
            continue
        spec = getattr(importlib.import_module(f"{__name__}.{module.name}"), "SPEC", None)
        if isinstance(spec, ProviderSpec):
            specs[spec.kind] = spec
    return specs
