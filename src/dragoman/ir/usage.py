"""Token usage in one convention, whatever the dialect counted.

`input_tokens` is the whole prompt, cache reads and writes included (OpenAI's and
Gemini's convention; Anthropic's `input_tokens` is converted by its dialect).
`output_tokens` includes `reasoning_tokens`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def uncached_input_tokens(self) -> int:
        """The prompt tokens that were neither read from nor written to a cache."""
        return max(0, self.input_tokens - self.cache_read_tokens - self.cache_write_tokens)

    def merge(self, newer: Usage) -> Usage:
        """Usage reports are cumulative snapshots: a non-zero newer figure wins."""
        return Usage(
            input_tokens=newer.input_tokens or self.input_tokens,
            output_tokens=newer.output_tokens or self.output_tokens,
            cache_read_tokens=newer.cache_read_tokens or self.cache_read_tokens,
            cache_write_tokens=newer.cache_write_tokens or self.cache_write_tokens,
            reasoning_tokens=newer.reasoning_tokens or self.reasoning_tokens,
        )
