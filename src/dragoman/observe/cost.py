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
        return LABELS[self.estimate]


# How a cost is shown, by whether it is an estimate.
LABELS = {True: "estimate at API prices (subscription)", False: "API price"}


def estimate(
    model: str, usage: Usage, *, subscription: bool, table: prices.PriceTable | None = None
) -> Cost | None:
    """The cost of `usage` on `model`, or None when the model has no price."""
    schedule = (table or prices.active()).schedule(model)
    if schedule is None:
        return None
    uncached, read, written_5m, written_1h = usage.prompt_parts()
    long = schedule.long
    tariff = long if long is not None and usage.input_tokens > schedule.above else schedule.usual
    output = usage.output_tokens
    reasoning = min(usage.reasoning_tokens, output)
    return Cost(
        schedule.model,
        uncached * tariff.input,
        read * tariff.cache_read,
        written_5m * tariff.cache_write + written_1h * tariff.cache_write_1h,
        (output - reasoning) * tariff.output,
        reasoning * tariff.reasoning,
        subscription,
    )
