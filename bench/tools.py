"""What the benchmark needs besides dragoman, installed on first use (and said how)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.services import LITELLM_VENV

REQUIREMENTS = Path(__file__).resolve().parent / "requirements.txt"
LITELLM_SPEC = "litellm[proxy]"


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("bench: wrk is missing; install it with `sudo apt-get install -y wrk`")
    _say("installing wrk: apt-get install -y wrk")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)


def ensure_python_deps() -> None:
    """aiohttp (the floor), uvloop, py-spy: into this interpreter, from bench/requirements.txt."""
    missing = [name for name in ("aiohttp", "uvloop") if importlib.util.find_spec(name) is None]
    if not missing and shutil.which("py-spy"):
        return
    command = [sys.executable, "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)]
    _say(f"installing the benchmark's requirements: {' '.join(command)}")
    subprocess.run(command, check=True)


def ensure_litellm() -> Path:
    """LiteLLM's proxy in its own virtualenv (bench/.venv-litellm), created on first use."""
    binary = LITELLM_VENV / "bin" / "litellm"
    if binary.exists():
        return binary
    started = time.monotonic()
    _say(f"installing {LITELLM_SPEC} into {LITELLM_VENV} (once; about a minute)")
    subprocess.run([sys.executable, "-m", "venv", str(LITELLM_VENV)], check=True)
    pip = [str(LITELLM_VENV / "bin" / "python"), "-m", "pip", "install", "-q", LITELLM_SPEC]
    subprocess.run(pip, check=True, timeout=1800)
    _say(f"LiteLLM installed in {time.monotonic() - started:.0f} s")
    return binary


def litellm_version() -> str | None:
    found = sorted(LITELLM_VENV.glob("lib/python*/site-packages/litellm-*.dist-info"))
    return found[-1].name.removeprefix("litellm-").removesuffix(".dist-info") if found else None
