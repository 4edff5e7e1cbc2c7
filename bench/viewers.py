"""Live viewers of a gateway's trace stream, for the bench's `--viewers N` target:

    python -m bench.viewers URL N

N connections read `URL/v1/traces/stream` (as N open dashboards do) until the
process is stopped; it says `subscribed` once every one has its answer's head."""

from __future__ import annotations

import http.client
import sys
import threading
from urllib.parse import urlsplit

from bench.scenarios import KEY


def view(host: str, port: int, subscribed: threading.Barrier) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=3600)
    connection.request("GET", "/v1/traces/stream", headers={"Authorization": f"Bearer {KEY}"})
    answer = connection.getresponse()
    if answer.status != 200:
        raise SystemExit(f"bench.viewers: the trace stream answered {answer.status}")
    subscribed.wait()
    while answer.fp.readline():
        pass


def main(argv: list[str]) -> int:
    url, count = urlsplit(argv[0]), int(argv[1])
    subscribed = threading.Barrier(count + 1)
    for _ in range(count):
        threading.Thread(target=view, args=(url.hostname, url.port, subscribed), daemon=True).start()
    subscribed.wait(timeout=30)
    print("subscribed", flush=True)
    threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
