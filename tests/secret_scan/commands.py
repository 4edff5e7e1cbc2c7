"""Every CLI output: click's CliRunner results, and what `dragoman` processes started
with Popen print (read from `communicate()`, or from the file they were given).

Their command lines and environments are harvested for secrets, and the ports they
bind are handed to `http` so that their answers are recorded too.
"""

from __future__ import annotations

import itertools
import subprocess
import traceback
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from tests.secret_scan import http
from tests.secret_scan.harvest import harvest_argv, harvest_environ
from tests.secret_scan.record import RECORDER, Buffer

_real_invoke = CliRunner.invoke
_real_popen_init = subprocess.Popen.__init__
_real_communicate = subprocess.Popen.communicate

# Files `dragoman` processes write their output to, read when the test ends.
OUTPUT_FILES: set[Path] = set()


def _invoke(self: CliRunner, cli: Any, args: Any = None, *more: Any, **kwargs: Any) -> Result:
    words = [args] if isinstance(args, str) else list(args or [])
    ports = _note_command(["dragoman", *words], kwargs.get("env") or {}, "CliRunner", None)
    try:
        result = _real_invoke(self, cli, args, *more, **kwargs)
    finally:
        # The command ran here and has ended: its ports may now go to a fake upstream or
        # OAuth server, whose answers are not dragoman's.
        for port in ports:
            if port in http.SERVE_PORTS and http.SERVE_PORTS[port] is None:
                del http.SERVE_PORTS[port]
    text = result.output
    if result.exc_info is not None and not isinstance(result.exception, SystemExit):
        text += "".join(traceback.format_exception(*result.exc_info))
    RECORDER.add(f"cli dragoman {' '.join(map(str, words))[:80]}", text)
    return result


def _popen_init(self: subprocess.Popen[Any], args: Any, *more: Any, **kwargs: Any) -> None:
    _real_popen_init(self, args, *more, **kwargs)
    words = [args] if isinstance(args, str | bytes) else list(args)
    self._dragoman = is_dragoman(words)  # type: ignore[attr-defined]
    if self._dragoman:  # type: ignore[attr-defined]
        _note_command(words, kwargs.get("env") or {}, "subprocess", self)
        for stream in (kwargs.get("stdout"), kwargs.get("stderr")):
            if hasattr(stream, "name") and isinstance(stream.name, str):
                OUTPUT_FILES.add(Path(stream.name))


def is_dragoman(words: list[Any]) -> bool:
    """`dragoman ...` or `python -m dragoman[.module] ...`; not a test's own `python -c`
    script that imports dragoman (what it prints is the test's business)."""
    text = [str(word) for word in words]
    if text and Path(text[0]).name == "dragoman":
        return True
    return any(
        flag == "-m" and (module == "dragoman" or module.startswith("dragoman."))
        for flag, module in itertools.pairwise(text)
    )


def _communicate(self: subprocess.Popen[Any], *args: Any, **kwargs: Any) -> Any:
    out, err = _real_communicate(self, *args, **kwargs)
    if getattr(self, "_dragoman", False):
        for name, text in (("stdout", out), ("stderr", err)):
            if text:
                RECORDER.add(f"subprocess {name}", _as_text(text))
    return out, err


def _as_text(data: str | bytes) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data


def _note_command(
    words: list[Any], environ: Any, origin: str, process: subprocess.Popen[Any] | None
) -> list[int]:
    """Harvest the command's secrets and note the ports it binds (returned)."""
    harvest_argv(words, f"{origin} argument")
    harvest_environ({str(k): str(v) for k, v in dict(environ).items() if v is not None}, f"{origin} env")
    binds = [str(words[i + 1]) for i, word in enumerate(words[:-1]) if word == "--bind"]
    binds += [environ.get("DRAGOMAN_BIND") or ""] if hasattr(environ, "get") else []
    ports = [int(part.rpartition(":")[2]) for bind in binds for part in bind.split(",")
             if part.rpartition(":")[2].isdigit()]  # fmt: skip
    for port in ports:
        http.SERVE_PORTS[port] = process
    return ports


def read_output_files() -> None:
    """Record what the `dragoman` processes wrote to files, then forget the files."""
    for path in sorted(OUTPUT_FILES):
        buffer = Buffer()
        try:
            buffer.write(path.read_bytes())
        except OSError:
            continue
        RECORDER.add(f"subprocess output {path.name}", buffer.text())
    OUTPUT_FILES.clear()


def install() -> None:
    CliRunner.invoke = _invoke  # type: ignore[method-assign]
    subprocess.Popen.__init__ = _popen_init  # type: ignore[method-assign]
    subprocess.Popen.communicate = _communicate  # type: ignore[method-assign]


def uninstall() -> None:
    CliRunner.invoke = _real_invoke  # type: ignore[method-assign]
    subprocess.Popen.__init__ = _real_popen_init  # type: ignore[method-assign]
    subprocess.Popen.communicate = _real_communicate  # type: ignore[method-assign]
