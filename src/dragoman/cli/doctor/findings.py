"""What `dragoman doctor` reports: one finding per thing checked, with a fix for each
problem."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Verdict = Literal["ok", "warn", "fail"]


@dataclass(frozen=True, slots=True)
class Finding:
    area: str  # what was checked: "port 127.0.0.1:4800", "account work", "client codex"
    verdict: Verdict
    detail: str
    fix: str | None = None  # what to do about it; None when nothing needs doing

    @property
    def failed(self) -> bool:
        return self.verdict == "fail"


def ok(area: str, detail: str) -> Finding:
    return Finding(area, "ok", detail)


def warn(area: str, detail: str, fix: str) -> Finding:
    return Finding(area, "warn", detail, fix)


def fail(area: str, detail: str, fix: str) -> Finding:
    return Finding(area, "fail", detail, fix)
