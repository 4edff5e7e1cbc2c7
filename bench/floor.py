"""The floor: the least a Python gateway can do, for comparison.

`python -m bench.floor PORT UPSTREAM_URL` forwards every POST to the same path on the
upstream: aiohttp server and client, the body decoded and re-encoded with orjson, the
answer streamed back chunk by chunk when the request asked for a stream. No
translation, no auth, no logging. Whatever dragoman costs beyond this is its own.
"""

from __future__ import annotations

import sys

import aiohttp
import orjson
import uvloop
from aiohttp import web

_JSON = {"content-type": "application/json"}


def make_app(upstream: str) -> web.Application:
    app = web.Application()

    async def start(app: web.Application) -> None:
        connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
        app["session"] = aiohttp.ClientSession(connector=connector, auto_decompress=False)

    async def stop(app: web.Application) -> None:
        await app["session"].close()

    async def forward(request: web.Request) -> web.StreamResponse:
        body = orjson.loads(await request.read())
        stream = isinstance(body, dict) and body.get("stream") is True
        session: aiohttp.ClientSession = request.app["session"]
        url = upstream + request.path
        async with session.post(url, data=orjson.dumps(body), headers=_JSON) as answer:
            kind = answer.headers.get("content-type", "application/json")
            if not stream:
                data = await answer.read()
                return web.Response(body=data, status=answer.status, headers={"content-type": kind})
            response = web.StreamResponse(status=answer.status, headers={"content-type": kind})
            await response.prepare(request)
            try:
                async for chunk in answer.content.iter_any():
                    await response.write(chunk)
                await response.write_eof()
            except ConnectionResetError:  # the load generator hung up at the end of its run
                pass
            return response

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_get("/healthz", health)
    app.router.add_post("/{path:.*}", forward)
    return app


if __name__ == "__main__":
    uvloop.install()
    port, upstream = int(sys.argv[1]), sys.argv[2].rstrip("/")
    web.run_app(make_app(upstream), host="127.0.0.1", port=port, access_log=None, print=None)
