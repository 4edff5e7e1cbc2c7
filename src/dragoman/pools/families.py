"""Model families: the groups of models a quota window can be confined to.

Anthropic names a family's own window with a short code after the window length
(`7d_oi` is the weekly window of the Claude "Fable" family, `7d-sonnet` Sonnet's);
`ANTHROPIC_CODES` maps codes that are not the family's name. Codex names its limit
families in the headers (`x-codex-bengalfox-*`, limit id `codex_bengalfox`) and says
which one a request charged (`x-codex-active-limit`); their model names are not
published, so a Codex family is known by that id alone.

`claude_family` finds the family of a Claude model name, so a family's cooldown can be
matched to the next request for one of its models.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

ANTHROPIC_CODES: Mapping[str, str] = {"oi": "fable"}
CODEX_FAMILY_PREFIX = "codex_"
# claude-fable-5, claude-opus-4-5-20251101, claude-3-5-sonnet-latest
_CLAUDE = re.compile(r"claude-(?:[\d.-]+-)?([a-z]+)")


def anthropic_family(code: str) -> str:
    code = code.lower()
    return ANTHROPIC_CODES.get(code, code)


def codex_family(limit_id: str) -> str | None:
    """The family of a Codex limit id: `codex_bengalfox` -> "bengalfox"; the default
    family (`codex`) and unprefixed ids (`premium`) are the account's own limit."""
    limit_id = limit_id.strip().lower().replace("-", "_")
    family = limit_id.removeprefix(CODEX_FAMILY_PREFIX)
    return family if family != limit_id and family else None


def claude_family(model: str) -> str | None:
    """The family named in a Claude model id, None for other models."""
    match = _CLAUDE.match(model.lower().rpartition("/")[2])
    return match[1] if match else None
