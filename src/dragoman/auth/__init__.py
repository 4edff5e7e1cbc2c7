"""Subscription logins (OAuth): getting, keeping and refreshing each account's tokens.

    pkce.py      S256 verifier and challenge, the flow's state
    paste.py     what a user pastes back from the browser: URL, code#state, query, code
    callback.py  the loopback listener the provider redirects the browser to
    device.py    device-code logins, polled at the server's pace
    login.py     a whole login: browser (listener racing a paste) or device
    tokens.py    token requests (exchange, refresh, revoke) and what a token response says
    endpoints.py a kind's OAuth client with the configuration's URL overrides
    store.py     tokens on the accounts table, each write one transaction
    locks.py     one lock per account across coroutines and processes
    refresh.py   fresh tokens before each request, single-flight, and after a 401
    status.py    what `dragoman status` and GET /v1/status show of an account

Tokens never reach a log, an error message or an API answer: they are registered with
`dragoman.observe.redact` as soon as they are read or received.
"""
