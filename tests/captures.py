"""The captured client requests (tests/fixtures/client-requests): what real users send.

Copied from the shared captures so the repository tests itself anywhere. Each file is
one request: `capture`, `method`, `path`, `query`, `headers` and the verbatim `body`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

CAPTURES = Path(__file__).parent / "fixtures" / "client-requests"


@dataclass(frozen=True, slots=True)
class Capture:
    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: Any

    @property
    def dialect(self) -> str | None:
        """The client dialect of a generation request, None for other endpoints."""
        if self.method != "POST":
            return None
        if self.path.endswith("/chat/completions"):
            return "openai_chat"
        if self.path.endswith("/responses"):
            return "openai_responses"
        if self.path.endswith("/messages"):
            return "anthropic"
        if self.path.endswith((":generateContent", ":streamGenerateContent")):
            return "gemini"
        return None

    @property
    def gemini_model(self) -> str:
        return self.path.rsplit("/", 1)[-1].split(":")[0]


def files(pattern: str = "*/*.json") -> list[Path]:
    """The capture files matching `pattern`, sorted. Raises when there are none: a test
    parametrized over an empty list would pass by running nothing."""
    found = sorted(CAPTURES.glob(pattern))
    if not found:
        raise FileNotFoundError(f"no captured client requests match {CAPTURES}/{pattern}")
    return found


def load_all() -> list[Capture]:
    captures = []
    for path in files():
        data = orjson.loads(path.read_bytes())
        captures.append(
            Capture(
                name=f"{path.parent.name}/{path.stem}",
                method=data["method"],
                path=data["path"],
                headers=data.get("headers") or {},
                body=data.get("body"),
            )
        )
    return captures


def of_dialect(dialect: str) -> list[Capture]:
    return [capture for capture in load_all() if capture.dialect == dialect]
