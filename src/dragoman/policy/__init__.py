"""Routing policy: which model a request asks for, decided before the registry resolves it.

    rules.py      `[[routing.rules]]`: the first matching rule sets the model, provider or
                  reasoning effort, or denies the request (403 in the client's dialect)
    signals.py    what a request shows: tokens, tools, images, code, markers, depth, trajectory
    classify.py   the signals scored into a tier: simple < medium < complex < reasoning
    defaults.py   a tier map from whatever the accounts serve, cheapest capable first
    sticky.py     a session's tier only rises, and stays for a TTL (runtime state)
    decide.py     `Policy.route`: the one step the relay calls; `explain` shows the same
    savings.py    what rules and auto saved against their baselines, from the usage ledger
    served.py     the models the routing config names, checked against what is served

The seam with the rest of the gateway: this package only rewrites `request.model` (and
its reasoning effort); what happens when that model cannot serve (fallback chains,
context windows) is `routing`'s and the relay's.
"""

from dragoman.policy.decide import Decision, Policy, is_auto

__all__ = ["Decision", "Policy", "is_auto"]
