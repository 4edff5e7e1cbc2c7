"""Account pools. What each upstream answer says about an account's quota, what a failure
does to the account, which conversation a request belongs to, and, over the runtime
state (`dragoman.state`), which accounts a request tries and in what order.

The signal, rule and session modules do no I/O and read no clock: time is passed in,
jitter is injectable, results are small frozen values. The selector reads and writes
the runtime state through its protocols and takes its clock as an argument.

    instants.py      times and durations as upstreams write them -> epoch seconds
    reading.py       UsageWindow, Reading: one shape for every upstream's signals
    signals/         the readers per upstream, and the table of which kind uses which
    families.py      model families a window can be confined to
    error_body.py    an error's codes and message, whatever its shape
    rules.py         the failure table, as data
    backoff.py       the exponential ladder, jitter, the timing knobs
    outcomes.py      classify(answer) -> Decision, and in-stream errors
    sessions.py      the session key a request carries, by client, in precedence
    opening.py       a conversation's key derived from its opening, when none is sent

    settings.py      PoolSettings (`[pools]`) and AccountPolicy (per account)
    members.py       a pool built once per model: members, tiers, Candidate
    exclusion.py     Exclusion: why an account cannot take a request
    eligibility.py   the checks made before any strategy
    strategies.py    fill-first, round-robin, weighted, least-used, headroom
    affinity.py      first-byte times and slow bindings
    usage.py         an answer's windows as state.Window records
    feedback.py      what an answer does to cooldowns and bindings
    refusal.py       NoAccount: the 429 when no account is eligible; failover words
    selector.py      Selector.choose / acquire / judge / on_success / release, Choice
"""

from dragoman.pools.exclusion import Exclusion
from dragoman.pools.members import Candidate
from dragoman.pools.refusal import NoAccount, chain_refusal, failover_reason, fallback_reason
from dragoman.pools.selector import Choice, Selector
from dragoman.pools.settings import AccountPolicy, PoolSettings, StrategyName

__all__ = [
    "AccountPolicy",
    "Candidate",
    "Choice",
    "Exclusion",
    "NoAccount",
    "PoolSettings",
    "Selector",
    "StrategyName",
    "chain_refusal",
    "failover_reason",
    "fallback_reason",
]
