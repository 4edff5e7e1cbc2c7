"""Token counts off a wire usage object, shared by the dialects' usage parsers.

A count is a non-negative integer; anything else (null, a string, a boolean, a
negative number from a broken upstream) counts as zero rather than failing an answer
that is otherwise fine.

OpenAI's output counts include reasoning (`total = prompt + output`). xAI counts
reasoning beside completion_tokens (`total = prompt + completion + reasoning`, per
docs.x.ai "consumption and rate limits"), on a wire that otherwise looks like
OpenAI's; the total tells the two apart, so no provider flag is needed.
"""

from __future__ import annotations


def count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def output_with_reasoning(output: int, reasoning: int, *, prompt: int, total: int) -> int:
    """The output count, reasoning included, whichever way the upstream counted it."""
    if reasoning and total == prompt + output + reasoning:
        return output + reasoning
    return output
