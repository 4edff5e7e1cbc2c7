"""Token usage in one convention, whatever the dialect counted.

Every dialect converts its wire counts to this meaning once, when it parses, and back
when it renders (the table in wire-formats.md §5.2):

    input_tokens           the whole prompt: uncached + cache_read + cache_write.
                           OpenAI's prompt/input tokens and Gemini's promptTokenCount
                           already count it so; Anthropic's input_tokens counts only
                           the uncached part, and its dialect adds the cache back.
    cache_read_tokens      prompt tokens served from a cache (part of input_tokens).
    cache_write_tokens     prompt tokens written to a cache (part of input_tokens).
    cache_write_1h_tokens  of cache_write_tokens, those written for the long (1 h)
                           lifetime, which Anthropic bills higher than the 5 min one.
    output_tokens          everything generated, reasoning included (xAI and Gemini
                           report reasoning beside their output count: added in).
    reasoning_tokens       of output_tokens, the hidden reasoning.

So uncached input and visible output are derived, never stored twice.
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
    cache_write_1h_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def uncached_input_tokens(self) -> int:
        """The prompt tokens that were neither read from nor written to a cache."""
        return self.prompt_parts()[0]

    @property
    def cache_write_5m_tokens(self) -> int:
        """The cache writes at the short (default) lifetime."""
        return self.prompt_parts()[2]

    def prompt_parts(self) -> tuple[int, int, int, int]:
        """The prompt in its four separately priced parts: uncached, read from a cache, written
        to one for 5 minutes, for 1 hour. One call: prices and traces read them per request."""
        read, written = self.cache_read_tokens, self.cache_write_tokens
        uncached, written_1h = self.input_tokens - read - written, self.cache_write_1h_tokens
        return (uncached if uncached > 0 else 0), read, max(0, written - written_1h), written_1h

    def merge(self, newer: Usage) -> Usage:
        """Usage reports are cumulative snapshots: a non-zero newer figure wins."""
        return Usage(
            input_tokens=newer.input_tokens or self.input_tokens,
            output_tokens=newer.output_tokens or self.output_tokens,
            cache_read_tokens=newer.cache_read_tokens or self.cache_read_tokens,
            cache_write_tokens=newer.cache_write_tokens or self.cache_write_tokens,
            reasoning_tokens=newer.reasoning_tokens or self.reasoning_tokens,
            cache_write_1h_tokens=newer.cache_write_1h_tokens or self.cache_write_1h_tokens,
        )
