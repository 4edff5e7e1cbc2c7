"""Reset and usage signals, read from every upstream answer (not only from 429s).

`read(kind, headers, body, now=...)` runs the readers the provider kind's table row
names and folds what they found into one `Reading` (see `pools.reading`). Each reader
is `(headers, body, now) -> Signals`, headers with lower-case names, body the parsed
JSON of an error answer or stream error event (None for a success).

    kind                readers
    anthropic           unified windows, API-key windows, Retry-After
    claude              unified windows, Retry-After
    codex               x-codex-* windows, usage_limit_reached body, Retry-After
    openai, xai, grok   x-ratelimit-* windows, Retry-After
    copilot             x-ratelimit-* windows, Retry-After
    gemini, gemini_cli  RetryInfo / quotaResetDelay / message, Retry-After
    openai_compatible   by its dialect, as the vendor the dialect comes from
    anything else       Retry-After
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache

from dragoman.pools.reading import Reading, Signals, conclude
from dragoman.pools.signals import anthropic, codex, gemini, openai, retry_after

Reader = Callable[[Mapping[str, str], object, float], Signals]
Readers = tuple[Reader, ...]

ANTHROPIC: Readers = (anthropic.read_unified, anthropic.read_api_key, retry_after.read)
OPENAI: Readers = (openai.read_headers, retry_after.read)
GEMINI: Readers = (gemini.read_body, retry_after.read)
DEFAULT: Readers = (retry_after.read,)

BY_KIND: Mapping[str, Readers] = {
    "anthropic": ANTHROPIC,
    "claude": (anthropic.read_unified, retry_after.read),
    "codex": (codex.read_headers, codex.read_body, retry_after.read),
    "openai": OPENAI,
    "xai": OPENAI,
    "grok": OPENAI,
    # Copilot's quota is read from its user endpoint (`dragoman status`); its answers are
    # only known to carry Retry-After, and x-ratelimit-* if any (upstreams.md §9).
    "copilot": OPENAI,
    "gemini": GEMINI,
    "gemini_cli": GEMINI,
}
BY_DIALECT: Mapping[str, Readers] = {
    "openai_chat": OPENAI,
    "openai_responses": OPENAI,
    "anthropic": ANTHROPIC,
    "gemini": GEMINI,
}


# Headers whose presence says a success carries quota signals: a success is read only
# when it has one (reading costs ~20 µs; looking a few names up, well under 1 µs).
# Body readers have none: a success's body is never read for quota.
TELLTALES: Mapping[Reader, tuple[str, ...]] = {
    anthropic.read_unified: ("anthropic-ratelimit-unified-status",),
    anthropic.read_api_key: (
        "anthropic-ratelimit-requests-remaining",
        "anthropic-ratelimit-tokens-remaining",
    ),
    codex.read_headers: ("x-codex-primary-used-percent", "x-codex-secondary-used-percent"),
    openai.read_headers: ("x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens"),
    retry_after.read: ("retry-after",),
}


@cache
def telltales(kind: str, dialect: str | None = None) -> tuple[str, ...]:
    """The headers worth reading a success for, from this kind's readers."""
    return tuple(name for reader in readers(kind, dialect) for name in TELLTALES.get(reader, ()))


def readers(kind: str, dialect: str | None = None) -> Readers:
    """The readers for a provider kind; `openai_compatible` goes by its dialect."""
    if kind == "openai_compatible":
        return BY_DIALECT.get(dialect or "", DEFAULT)
    return BY_KIND.get(kind, DEFAULT)


def read(
    kind: str,
    headers: Mapping[str, str],
    body: object = None,
    *,
    now: float,
    dialect: str | None = None,
) -> Reading:
    """Everything one answer says about the account's quota."""
    lowered = {name.lower(): value for name, value in headers.items()}
    return conclude(reader(lowered, body, now) for reader in readers(kind, dialect))
