"""Looking for the registered secrets in what was recorded, and saying where."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tests.secret_scan.record import Seen

CONTEXT = 40


@dataclass(frozen=True, slots=True)
class Leak:
    test: str
    channel: str
    origin: str  # which secret: where it was registered
    snippet: str  # the text around it, every secret masked

    def __str__(self) -> str:
        return f"{self.test}\n    in {self.channel}: {self.origin}\n    ...{self.snippet}..."


class Scanner:
    """One pattern for all the secrets, rebuilt only when new ones are registered."""

    def __init__(self) -> None:
        self._version = -1
        self._secrets: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None

    def update(self, version: int, secrets: Mapping[str, str]) -> None:
        if version == self._version:
            return
        self._version, self._secrets = version, dict(secrets)
        # Longest first, so a secret that contains another is reported as itself.
        ordered = sorted(self._secrets, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def leaks(self, test: str, seen: Iterable[Seen]) -> list[Leak]:
        """Each (channel, secret) found in `seen`, once."""
        if self._pattern is None:
            return []
        found: dict[tuple[str, str], Leak] = {}
        for item in seen:
            for match in self._pattern.finditer(item.text):
                key = (item.channel, match.group())
                if key not in found:
                    origin = self._secrets[match.group()]
                    found[key] = Leak(test, item.channel, origin, self.snippet(item.text, match))
        return list(found.values())

    def snippet(self, text: str, match: re.Match[str]) -> str:
        """CONTEXT characters either side of `match`, every secret in them masked (the
        sides are masked whole, then cut, so no secret is cut in half and shown)."""
        assert self._pattern is not None
        mask = self._pattern.sub
        left = mask(self._name, text[: match.start()])[-CONTEXT:]
        right = mask(self._name, text[match.end() :])[:CONTEXT]
        return f"{left}{self._name(match)}{right}".replace("\n", "\\n")

    def _name(self, match: re.Match[str]) -> str:
        return f"<{self._secrets[match.group()]}>"
