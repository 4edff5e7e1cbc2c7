"""Metrics read from the runtime state when scraped, not counted per request.

Cooldowns and in-flight slots are already kept, across every worker, by the state
(`dragoman.state`): each worker mirrors every cooldown and can sum every process's
in-flight slots. So whichever worker a scrape reaches answers for all of them, and the
request path pays nothing for these.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from dragoman.state.records import COOLDOWN_KINDS

if TYPE_CHECKING:
    from prometheus_client import Metric

    from dragoman.server.gateway import Gateway


class StateCollector(Collector):
    """`dragoman_cooldowns_active` and `dragoman_account_in_flight`, per account."""

    def __init__(self, gateway: Gateway, clock: Callable[[], float] = time.time) -> None:
        self.gateway = gateway
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        cooling = GaugeMetricFamily(
            "dragoman_cooldowns_active",
            "Active cooldowns (whole account, model family or model), by account and kind.",
            labels=["provider", "kind"],
        )
        in_flight = GaugeMetricFamily(
            "dragoman_account_in_flight",
            "Upstream requests in flight now on each account, every worker summed.",
            labels=["provider"],
        )
        state = self.gateway.state
        if state is not None:
            now = self.clock()
            for upstream in self.gateway.registry.upstreams:
                name = upstream.name
                cooldowns = state.health.cooldowns(name)
                kinds = Counter(cooldown.kind for cooldown in cooldowns if cooldown.active(now))
                for kind in COOLDOWN_KINDS:
                    cooling.add_metric([name, kind], kinds[kind])
                in_flight.add_metric([name], state.in_flight.count(name))
        yield cooling
        yield in_flight
