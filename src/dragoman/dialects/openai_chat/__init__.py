"""OpenAI Chat Completions (`POST /v1/chat/completions`), for clients and upstreams.

Modules follow the contract in `dragoman.dialects`: `request`, `response`, `stream`,
`error`, with `wire` for the JSON shapes. `messages`, `content` and `tools` hold the
parts of a request both directions share; `fields` reads untrusted client JSON.
"""
