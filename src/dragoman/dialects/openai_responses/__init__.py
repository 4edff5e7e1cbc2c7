"""The OpenAI Responses dialect (`POST /v1/responses`), for clients and upstreams.

request.py        client body -> ir.Request, ir.Request -> upstream body
input.py          `input` items <-> IR messages (system text, turns, tool results)
tools.py          tool declarations, Codex namespaces, tool choice
items.py          output items (reasoning, message, calls) <-> IR parts
response.py       Response object <-> ir.Response
stream.py         upstream SSE -> IR events (Parser)
stream_render.py  IR events -> client SSE, in OpenAI's event order (Renderer)
error.py          error bodies and in-stream errors
wire.py           TypedDicts of the JSON shapes
"""
