"""Issue 16's targets, checked against one run's figures: dragoman as users run it
(`dragoman-info`: the default info-level access log, tracing, pools and key checks on),
or `dragoman` at warning level when the run skipped the info one (`--no-info`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.goals import Verdict
from bench.scenarios import Scenario
from bench.summary import Figure, Summary

PASSED_THROUGH_SHARE, TRANSLATED_SHARE = 0.95, 0.7  # saturation against the floor's
STREAMED_C32_SHARE, TTFB_C32_FACTOR = 0.8, 1.3  # chat-stream at c=32
CLAUDE_CODE_TTFB_C1_FACTOR = 1.2
ADDED_C1_MS = {False: 0.3, True: 0.45}  # by `translated`
CPU_FACTOR = 1.3
WORKERS_SPEEDUP = 1.8


def gateway_of(targets: list[str]) -> str:
    return "dragoman-info" if "dragoman-info" in targets else "dragoman"


def check(
    s: Summary, scenarios: list[Scenario], plan: Any, targets: list[str], scaling: Any
) -> list[Verdict]:
    me = gateway_of(targets)
    verdicts = []
    for sc in scenarios:
        verdicts.append(_saturation(s, sc, plan, me))
        verdicts.append(_added(s, sc, me))
        verdicts.append(_cpu(s, sc, plan, me))
    verdicts += [_chat_stream(s, sc, me) for sc in scenarios if sc.key == "chat-stream"]
    verdicts += [_claude_code(s, sc, me) for sc in scenarios if sc.key == "claude-code" and sc.stream]
    verdicts.append(_workers(scaling))
    return verdicts


def _ratio(mine: Figure | None, floor: Figure | None) -> float | None:
    return mine.median / floor.median if mine is not None and floor is not None and floor.median else None


def _versus(goal: str, mine: Figure | None, floor: Figure | None, holds: Callable[[float], bool]) -> Verdict:
    ratio = _ratio(mine, floor)
    if mine is None or floor is None or ratio is None:
        return Verdict(goal, "not measured", None)
    return Verdict(goal, f"{mine.median:.2f} vs {floor.median:.2f} = {ratio:.2f}x", holds(ratio))


def _saturation(s: Summary, sc: Scenario, plan: Any, me: str) -> Verdict:
    share = TRANSLATED_SHARE if sc.translated else PASSED_THROUGH_SHARE
    goal = f"{sc.key}: saturation >= {share}x the floor's"
    mine, floor = (s.saturation(t, sc.key, plan.concurrencies) for t in (me, "floor"))
    return _versus(goal, mine, floor, lambda ratio: ratio >= share)


def _added(s: Summary, sc: Scenario, me: str) -> Verdict:
    limit = ADDED_C1_MS[sc.translated]
    goal = f"{sc.key}: added p50 at c=1 <= {limit} ms"
    added = s.added(me, sc.key, 1, 50)
    if added is None:
        return Verdict(goal, "not measured", None)
    return Verdict(goal, f"{added.median:.2f} ms", added.median <= limit)


def _cpu(s: Summary, sc: Scenario, plan: Any, me: str) -> Verdict:
    c = max(plan.concurrencies)
    goal = f"{sc.key}: CPU per 1000 requests at c={c} <= {CPU_FACTOR}x the floor's"
    return _versus(goal, s.cpu(me, sc.key, c), s.cpu("floor", sc.key, c), lambda ratio: ratio <= CPU_FACTOR)


def _chat_stream(s: Summary, sc: Scenario, me: str) -> Verdict:
    goal = f"{sc.key} c=32: streams/s >= {STREAMED_C32_SHARE}x and TTFB p50 <= {TTFB_C32_FACTOR}x the floor's"
    rate = _ratio(s.raw(me, sc.key, 32, "rps"), s.raw("floor", sc.key, 32, "rps"))
    first = _ratio(s.ttfb(me, sc.key, 32), s.ttfb("floor", sc.key, 32))
    if rate is None or first is None:
        return Verdict(goal, "not measured", None)
    met = rate >= STREAMED_C32_SHARE and first <= TTFB_C32_FACTOR
    return Verdict(goal, f"streams/s {rate:.2f}x, TTFB {first:.2f}x the floor's", met)


def _claude_code(s: Summary, sc: Scenario, me: str) -> Verdict:
    goal = f"{sc.key}: TTFB p50 at c=1 <= {CLAUDE_CODE_TTFB_C1_FACTOR}x the floor's"
    factor = CLAUDE_CODE_TTFB_C1_FACTOR
    return _versus(goal, s.ttfb(me, sc.key, 1), s.ttfb("floor", sc.key, 1), lambda ratio: ratio <= factor)


def _workers(scaling: Any) -> Verdict:
    goal = f"--workers 2 >= {WORKERS_SPEEDUP}x one process"
    if not scaling or "speedup" not in scaling or scaling.get("workers") != 2:
        return Verdict(goal, "not measured (run with --workers 2)", None)
    speedup = scaling["speedup"]
    return Verdict(goal, f"{speedup:.2f}x ({scaling['via']})", speedup >= WORKERS_SPEEDUP)
