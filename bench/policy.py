"""What the routing policy costs a request (issue 14: under 0.1 ms for the 88 KB Claude
Code request), measured in-process on the captured request:

    python -m bench.policy

`none` is a gateway with no rule and a model that is not auto (the relay's one
comparison); `rules` matches three rules, the last on estimated tokens; `auto`
classifies and maps to a tier. Each figure is the median of 7 runs of 2000 calls.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from dragoman import dialects
from dragoman.config import ModelsConfig
from dragoman.config.routing import AutoConfig, RoutingConfig, TierMap
from dragoman.ir.request import Request
from dragoman.policy import Policy
from dragoman.routing.registry import Registry

CAPTURE = (
    Path(__file__).parent.parent
    / "tests/fixtures/client-requests/claude-code/01-anthropic.messages.stream.json"
)
CALLS, RUNS = 2000, 7
HEADERS = {"user-agent": "claude-cli/2.1.329 (external, sdk-cli)"}
RULES = RoutingConfig.model_validate(
    {
        "rules": [
            {
                "name": "haiku",
                "match": {"client": "claude-code", "model": "claude-*haiku*"},
                "set": {"model": "a"},
            },
            {"name": "team", "match": {"header": {"x-team": "b"}}, "deny": "no"},
            {"name": "long", "match": {"min_tokens": 500_000}, "set": {"model": "b"}},
        ]
    }
)
TIERS = TierMap(simple="a", medium="b", complex="c", reasoning="d")


def microseconds(call: Callable[[], object]) -> float:
    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for _ in range(CALLS):
            call()
        runs.append((time.perf_counter() - started) / CALLS * 1e6)
    return statistics.median(runs)


def main() -> None:
    body = orjson.loads(CAPTURE.read_bytes())["body"]
    request: Request = dialects.get("anthropic").request.parse(body)
    registry = Registry([], ModelsConfig())
    plain, ruled, auto = Policy(), Policy(routing=RULES), Policy(AutoConfig(tiers=TIERS))

    def auto_call() -> object:
        request.model = "auto"
        return auto.route(request, registry, "anthropic", HEADERS)

    asked = request.model
    figures = {
        "none": microseconds(lambda: plain.route(request, registry, "anthropic", HEADERS)),
        "rules": microseconds(lambda: ruled.route(request, registry, "anthropic", HEADERS)),
        "auto": microseconds(auto_call),
    }
    request.model = asked
    print(f"routing policy on {CAPTURE.name} ({len(CAPTURE.read_bytes()) // 1024} KB):")
    for name, value in figures.items():
        print(f"  {name:6} {value:8.2f} µs")


if __name__ == "__main__":
    main()
