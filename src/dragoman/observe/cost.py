"""What a request's tokens cost, from its normalised usage and the model's price.

Amounts are US dollars as floats: an estimate summed over requests, where a float's
rounding (far below a millionth of a cent) does not matter and its speed does, since
this runs once per request on the trace path (a dict lookup, cached per model, and a
dozen multiplications). For a subscription (OAuth login) account nothing is billed
per token: the cost is what the same tokens would cost at API prices, and says so
with `estimate=True`.
"""

from __future__ import annotations

from dataclasses import dataclass

from dragoman.ir.usage import Usage
from dragoman.observe import prices


@dataclass(slots=True)  # not frozen: a frozen dataclass takes three times as long to build
class Cost:
    """US dollars by kind of token; `estimate`: API prices applied to a subscription."""

    model: str  # the price table entry that priced it
    input: float  # uncached prompt
    cache_read: float
    cache_write: float
    output: float  # visible output (reasoning apart)
    reasoning: float
    estimate: bool

    @property
    def total(self) -> float:
        return self.input + self.cache_read + self.cache_write + self.output + self.reasoning

    @property
    def label(self) -> str:
        return "estimate at API prices (subscription)" if self.estimate else "API price"


def estimate(
    model: str, usage: Usage, *, subscription: bool, table: prices.PriceTable | None = None
) -> Cost | None:
    """The cost of `usage` on `model`, or None when the model has no price."""
    schedule = (table or prices.active()).schedule(model)
    if schedule is None:
        return None
    tariff = schedule.tariff(usage.input_tokens)
    reasoning = min(usage.reasoning_tokens, usage.output_tokens)
    return Cost(
        model=schedule.model,
        input=usage.uncached_input_tokens * tariff.input,
        cache_read=usage.cache_read_tokens * tariff.cache_read,
        cache_write=usage.cache_write_5m_tokens * tariff.cache_write
        + usage.cache_write_1h_tokens * tariff.cache_write_1h,
        output=(usage.output_tokens - reasoning) * tariff.output,
        reasoning=reasoning * tariff.reasoning,
        estimate=subscription,
    )
