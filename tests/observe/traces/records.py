"""Trace records as the tracer builds them, for tests of what is done with them."""

from __future__ import annotations

import time
from typing import Any

from dragoman.observe.traces.outcome import Record


def a_record(n: int = 0, **changes: Any) -> Record:
    record: Record = {
        "id": f"req-{n}", "time": time.time() - 60 + n, "key": None, "client": "codex",
        "user_agent": "codex_exec/0.169.0", "dialect": "openai_responses", "route": "POST /v1/responses",
        "model": "gpt-5", "upstream_model": "gpt-5", "provider": "codex", "account": "alice",
        "reason": "strategy=fill-first", "status": 200, "stream": True, "ended": "ok", "ttfb_ms": 80.0,
        "duration_ms": 900.0, "bytes_in": 500, "bytes_out": 2000,
        "usage": {"input_uncached": 10, "cache_read": 90, "cache_write": 0, "output": 20, "reasoning": 5,
                  "input": 100, "total": 120},
        "cost": None, "cost_estimate": None, "attempts": [], "bodies": None,
    }  # fmt: skip
    record.update(changes)
    return record
