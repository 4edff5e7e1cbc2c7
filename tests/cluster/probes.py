"""What the cluster tests share besides the topology: the upstream's spent-window answer,
and waiting until every replica sees something."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.fakes.script import Failure, Reply


def usage_limit(seconds: int) -> Reply:
    """ChatGPT's answer when a login's window is spent (upstreams.md §1.7): a quota
    cooldown, which keeps the account out (a transient one would still be tried)."""
    body = {
        "error": {
            "type": "usage_limit_reached",
            "message": "The usage limit has been reached",
            "plan_type": "plus",
            "resets_in_seconds": seconds,
        }
    }
    headers = {"x-codex-primary-used-percent": "100", "x-codex-primary-reset-after-seconds": str(seconds)}
    return Reply(error=Failure(429, body=body, headers=headers))


def until(probe: Callable[[], bool], seconds: float = 10) -> None:
    """Return once `probe` holds; fail the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while not probe():
        assert time.monotonic() < deadline, "not seen in time"
        time.sleep(0.1)
