"""A streamed answer's output, counted as it passes for a key with budgets: once it runs
past what the request's hold reserved, the hold grows a step (`policy.budgets.Hold.grow`);
refused, the answer ends there.

    batches = metering.metered(meter, batches)     # the same batches, counted

Output is counted from the events: the characters of text, thinking and tool arguments,
about four to a token (`ir.tokens.CHARS_PER_TOKEN`), or the output tokens the upstream
reports mid-stream (Gemini does, in every chunk) when that is more. A step is `[limits]
reserve_output_max` tokens (enough of them to cover the output already past), or what is
left of the request's max output when less: its `max_tokens` (times its choices), else
the model's output limit from the model data; neither known, steps go on. Once the whole
max output is held nothing more is reserved: the upstream itself stops there. Hidden
reasoning (OpenAI's) passes no text: it is only counted when the usage comes, at the end.

Refused, the client gets the batch that ran past the hold (its tokens are billed
anyway), then its dialect's error event (Chat `data: {"error": ...}` and `[DONE]`,
Anthropic `event: error`, Responses `response.failed`, Gemini an error chunk) carrying
an OverBudget (`budget_exceeded`, 403's kind) that names the key, the budget and when it
resets; the stream ends and the upstream connection closes with it, which stops the
generation. Chosen over a length stop (`finish_reason: length`, `stop_reason:
max_tokens`): that reads as the model's own limit, a client would raise its max_tokens or
ask to continue in vain, and the user would never learn why; the official SDKs raise the
error event as an API error with its message; the agent CLIs retry the request, and print
the 403 the budget answers that with. The access log and the trace say the stream ended
`cut: budget_exceeded`.

A batch is one network read: at a model's generation pace a few tokens, but an upstream
sending faster than it is relayed can put thousands in one, all billed before they are
seen here; that read is how far a stream passes its hold before it is cut.
"""

from __future__ import annotations

from dragoman.ir import PartDelta, StreamError, UsageUpdate
from dragoman.ir.errors import GatewayError
from dragoman.ir.tokens import CHARS_PER_TOKEN
from dragoman.policy.budgets import Hold
from dragoman.server.batches import Batch, Batches, FinalBatch


class Meter:
    """One streamed answer's output against what its hold reserved for it."""

    __slots__ = ("ceiling", "chars", "hold", "rate", "reported", "reserved", "step")

    def __init__(self, hold: Hold, ceiling: int | None, step: int) -> None:
        """`ceiling`: the most output the answer may have (None: not known); `step`: the
        tokens a grown hold adds (`[limits] reserve_output_max`)."""
        demand = hold.demand
        self.hold = hold
        self.reserved = demand.tokens - demand.input_tokens
        self.ceiling = ceiling
        self.step = step
        # The price of one output token, for a money budget (the request's reservation priced it).
        self.rate: float | None = None
        if demand.cost is not None and self.reserved > 0:
            self.rate = (demand.cost - (demand.input_cost or 0.0)) / self.reserved
        self.chars = 0
        self.reported = 0

    def passed(self, batch: Batch) -> bool:
        """Count the batch's output (noted on the hold, for settling a cut answer);
        whether it is past what the hold reserved, with more to reserve."""
        for event in batch:
            kind = type(event)
            if kind is PartDelta:
                self.chars += len(event.text)  # type: ignore[union-attr]
            elif kind is UsageUpdate:
                self.reported = max(self.reported, event.usage.output_tokens)  # type: ignore[union-attr]
        output = max(-(-self.chars // CHARS_PER_TOKEN), self.reported)
        self.hold.output = output
        return output > self.reserved and (self.ceiling is None or self.reserved < self.ceiling)

    async def grow(self) -> GatewayError | None:
        """Reserve the next step (the refusal when the budgets have no room for it)."""
        tokens = self.step * (1 + (self.hold.output - self.reserved) // self.step)
        if self.ceiling is not None:
            tokens = min(tokens, self.ceiling - self.reserved)
        cost = tokens * self.rate if self.rate is not None else None
        refused = await self.hold.grow(tokens, cost)
        if refused is None:
            self.reserved += tokens
        return refused


async def metered(meter: Meter, batches: Batches) -> Batches:
    """`batches`, counted by `meter`: ended with the refusal as an error event when the
    hold cannot grow past the output; the upstream's stream closed as they end."""
    try:
        async for batch in batches:
            if batch and meter.passed(batch) and not isinstance(batch, FinalBatch):
                refusal = await meter.grow()
                if refusal is not None:
                    yield batch
                    yield FinalBatch([StreamError(refusal)])
                    return
            yield batch
    finally:
        await batches.aclose()
