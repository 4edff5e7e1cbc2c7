"""Run one fake upstream as its own process, for end-to-end CLI tests.

    python -m tests.fakes --dialect anthropic --port 0 [--key KEY]

Prints `listening <url>` once the socket is bound (port 0 picks a free one), then serves
until SIGINT / SIGTERM. Script it over HTTP: POST /__fake__/script with a JSON list of
Reply objects (e.g. `[{"text": "Hi", "tool_calls": [{"name": "f", "args": {}}]}]`),
GET /__fake__/requests, POST /__fake__/reset.
"""

from __future__ import annotations

import argparse
import sys

from tests.fakes import FAKES
from tests.fakes.server import bind, serve_forever


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes", description=__doc__.splitlines()[0])
    parser.add_argument("--dialect", required=True, choices=sorted(FAKES))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", default=None, help="the API key the fake accepts (default: the fake's own)")
    args = parser.parse_args(argv)
    fake = FAKES[args.dialect](key=args.key)
    sock = bind(args.port)
    print(f"listening http://127.0.0.1:{sock.getsockname()[1]} key={fake.key}", flush=True)
    serve_forever(fake.app, sock)


if __name__ == "__main__":
    main(sys.argv[1:])
