"""Anthropic Messages (`POST /v1/messages`), for Anthropic clients and upstreams.

request.py        client body <-> ir.Request (content.py blocks, tools.py, thinking.py,
                  turns.py the conversation shape the API requires)
response.py       Message body <-> ir.Response
stream.py         upstream SSE -> IR events (Parser); stream_render.py IR events -> SSE (Renderer)
usage.py          usage and stop reasons (Anthropic input_tokens exclude the cache)
error.py          {"type": "error", "error": {...}} both ways
count_tokens.py   POST /v1/messages/count_tokens
"""
