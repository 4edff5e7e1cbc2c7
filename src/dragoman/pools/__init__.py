"""Account pools: the pure part. What each upstream answer says about an account's quota,
what a failure does to the account, and which conversation a request belongs to.

No I/O and no clock: time is passed in, jitter is injectable, results are small frozen
values the caller stores in its runtime state (`dragoman.state`).

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
"""
