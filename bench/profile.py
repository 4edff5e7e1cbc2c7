"""A py-spy profile of dragoman under load, and its text summary by pipeline stage.

py-spy samples only while the process holds the GIL (`--gil`): for an asyncio server
that is its CPU time, without the idle database thread or the loop's epoll wait.
Each sample is charged to one stage: the deepest frame that belongs to a stage decides
(an asyncio frame under the relay's `_with_ticks` is the relay's cost).
"""

from __future__ import annotations

import collections
import re
import shutil
import subprocess
import threading
from pathlib import Path

from bench import wrk
from bench.scenarios import Scenario

PROFILES = Path(__file__).resolve().parent / "profiles"
INSTALL_HINT = "py-spy is missing: `pip install py-spy` (it needs ptrace: run as root or with CAP_SYS_PTRACE)"

# (stage, pattern of a frame "function (file)"). A sample is charged to the stage of its
# deepest matching frame, so a pipeline step's own helpers count for that step.
STAGES: list[tuple[str, re.Pattern[str]]] = [
    (stage, re.compile(pattern))
    for stage, pattern in [
        (
            "ASGI response path: uvicorn, starlette, middleware",
            r"\((uvicorn|starlette)/|server/middleware\.py",
        ),
        ("client body read + JSON decode: read_json", r"^read_json \("),
        ("client request parse: dialect request.parse", r"^parse \(dragoman/dialects/\w+/request\.py"),
        ("upstream request render: upstream_call.prepare", r"^prepare \(dragoman/server/upstream_call"),
        (
            "relay plumbing: relay, send, streamed response, pools' glue",
            r"\(dragoman/server/(relay|send|streamed|disconnect)\.py|\(dragoman/providers/",
        ),
        (
            "upstream HTTP client: aiohttp (httpx for HTTP/2, proxies)",
            r"\((aiohttp|yarl|multidict|httpx|httpcore|h11)/",
        ),
        ("SSE decoding: sse.Decoder", r"^Decoder\.\w+ \(dragoman/sse\.py"),
        ("upstream stream parse: stream.Parser", r"^Parser\.\w+ \(dragoman/dialects/"),
        ("client stream render: stream.Renderer", r"^Renderer\.\w+ \(dragoman/dialects/"),
        ("upstream answer parse: response.parse", r"^parse \(dragoman/dialects/\w+/response\.py"),
        (
            "client answer render: Accumulator, response.render",
            r"^(Accumulator\.|render \(dragoman/dialects/\w+/response)",
        ),
        ("logging: access log, handlers", r"\(logging/|\(dragoman/observe/"),
        ("database thread: aiosqlite", r"\(aiosqlite/"),
    ]
]
EVENT_LOOP = "event loop: asyncio/uvloop scheduling, socket reads"


def available() -> bool:
    return shutil.which("py-spy") is not None


def record(pid: int, seconds: float, output: Path, fmt: str) -> None:
    argv = ["py-spy", "record", "-p", str(pid), "-d", f"{max(1, round(seconds))}", "-r", "250"]
    argv += ["--gil", "--nolineno", "-f", fmt, "-o", str(output)]
    subprocess.run(argv, check=True, capture_output=True, timeout=seconds + 60)


def profile_under_load(
    pid: int, url: str, scenario: Scenario, body: Path, connections: int, seconds: float, folder: Path
) -> tuple[Path, Path]:
    """A raw (collapsed stacks) and a flame graph capture while wrk drives `scenario`."""
    folder.mkdir(exist_ok=True)
    stem = f"{scenario.key}-c{connections}"
    raw, svg = folder / f"{stem}.collapsed", folder / f"{stem}.svg"
    load = threading.Thread(
        target=wrk.run, args=(url, body, scenario.headers, connections, 2 * seconds + 4), daemon=True
    )
    load.start()
    try:
        threading.Event().wait(1.0)  # let the load reach its steady state first
        record(pid, seconds, raw, "raw")
        record(pid, seconds, svg, "flamegraph")
    finally:
        load.join(timeout=2 * seconds + 70)
    return raw, svg


def _stacks(raw: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def stage_of(frames: list[str]) -> str:
    for frame in reversed(frames):
        for stage, pattern in STAGES:
            if pattern.search(frame):
                return stage
    return EVENT_LOOP


def summarize(raw: Path, title: str, top: int = 25) -> str:
    stacks = _stacks(raw)
    total = sum(count for _, count in stacks) or 1
    stages: collections.Counter[str] = collections.Counter()
    leaves: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    for frames, count in stacks:
        stages[stage_of(frames)] += count
        leaves[frames[-1]] += count
        for frame in set(frames):
            if "dragoman/" in frame and "cli/" not in frame and "__main__" not in frame:
                inclusive[frame] += count
    lines = [
        f"# {title}",
        f"{total} samples (GIL held, 250 Hz)",
        "",
        "## Cost by pipeline stage (each sample once)",
    ]
    lines += [f"{100 * n / total:5.1f}%  {name}" for name, n in stages.most_common()]
    lines += ["", f"## Top {top} functions by own time"]
    lines += [f"{100 * n / total:5.1f}%  {name}" for name, n in leaves.most_common(top)]
    lines += ["", f"## Top {top} dragoman functions, inclusive"]
    lines += [f"{100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(lines) + "\n"


def largest(raw: Path, count: int = 3) -> list[tuple[str, float]]:
    stacks = _stacks(raw)
    total = sum(n for _, n in stacks) or 1
    stages: collections.Counter[str] = collections.Counter()
    for frames, n in stacks:
        stages[stage_of(frames)] += n
    return [(name, 100 * n / total) for name, n in stages.most_common(count)]
