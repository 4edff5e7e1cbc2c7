"""Building the ASGI application from settings."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware

from dragoman.config import Settings
from dragoman.observe import metrics_dir, prices, redact
from dragoman.observe.metrics import Metrics
from dragoman.observe.metrics_state import StateCollector
from dragoman.observe.otel import open_spans
from dragoman.policy.served import check_served
from dragoman.providers.upstream import build_upstreams
from dragoman.routing.catalog import Catalog, load_catalog
from dragoman.server import heap, ui_session
from dragoman.server.direct import DirectRoutes
from dragoman.server.gateway import Gateway
from dragoman.server.last_resort import GatewayApp
from dragoman.server.middleware import ExchangeMiddleware
from dragoman.server.routes import route_table
from dragoman.server.unrouted import method_not_allowed, not_found
from dragoman.store.files import prepare_home


def build_gateway(settings: Settings, environ: Mapping[str, str] = os.environ) -> Gateway:
    """The shared state from the config alone: accounts and a local Ollama join when the
    app starts. Raises ConfigError for a provider that cannot be built."""
    catalog = Catalog(settings, build_upstreams(settings, environ), environ)
    return Gateway(settings=settings, registry=catalog.registry(), catalog=catalog)


async def load_gateway(settings: Settings, environ: Mapping[str, str] = os.environ) -> Gateway:
    """The shared state with the accounts and a local Ollama already in the registry
    (for the banner `dragoman serve` prints before it starts). Raises ConfigError, also
    for a model the routing config names that nothing could serve (`policy.served`)."""
    catalog = await load_catalog(settings, environ)
    registry = catalog.registry()
    check_served(settings, registry, catalog.unlisted())
    return Gateway(settings=settings, registry=registry, catalog=catalog)


def create_app(gateway: Gateway) -> Starlette:
    settings = gateway.settings
    redact.register(settings.key_values())
    prices.use(settings.prices)
    gateway.metrics = metrics = Metrics(metrics_dir.shared(), collectors=[StateCollector(gateway)])
    spans = open_spans(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        prepare_home(settings.home)
        try:
            await gateway.start()
            metrics.start()
            heap.settle()
            yield
        finally:
            await metrics.stop()
            await gateway.aclose()
            if spans is not None:
                spans.close()

    table, direct = route_table()
    app = GatewayApp(
        routes=table,
        middleware=[
            Middleware(ExchangeMiddleware, metrics=gateway.metrics, spans=spans),
            # Beneath the exchange (ids, log, trace), above the router it skips.
            Middleware(DirectRoutes, table=direct),
        ],
        lifespan=lifespan,
        exception_handlers={404: not_found, 405: method_not_allowed},
    )
    # An unknown path is a 404, not a redirect to the same path with a slash added.
    app.router.redirect_slashes = False
    app.state.gateway = gateway
    app.state.local_keys = [key.encode() for key in settings.key_values()]
    app.state.key_ring = gateway.key_ring
    app.state.ui_sessions = ui_session.UiSessions(settings.home, app.state.local_keys)
    return app
