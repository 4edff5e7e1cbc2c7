"""Seeing and steering the account pools: one admin API, many faces. The CLI
(`dragoman accounts list/enable/disable/set/reset`), the dashboard and any script use
the same JSON routes behind the local key; with no gateway running, the CLI calls the
same functions on the home folder itself.

    view.py     one account as JSON: policy, state, cooldowns, windows, in flight,
                bound sessions (hashed), last error
    desk.py     AccountDesk: list, show, change a policy, reset, apart from HTTP
    patch.py    the PATCH body, checked strictly (pydantic)
    routes.py   the Starlette handlers
    adding.py   POST /v1/admin/accounts: an API-key account added
    probe.py    POST /v1/admin/accounts/{label}/test: `dragoman test` from the gateway
    models.py   GET /v1/admin/models: what is served, by whom, aliases and limits

Traces and usage (`observe.traces` behind them) have their own modules:

    traces.py   GET/DELETE /v1/traces, GET /v1/traces/{id}, GET /v1/traces/stream
    usage.py    GET /v1/usage
    common.py   query parameters validated (pydantic), orjson answers, the tracer
"""
