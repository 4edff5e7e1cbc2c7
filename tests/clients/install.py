"""The pinned agent CLIs, installed from the npm registry into a cache folder CI keeps.

Each package goes to `.cache/clients/<name>-<version>` under the repository, through a
temporary folder renamed into place once `--version` answers, so an interrupted install
never leaves a half cache behind. A cached install is reused as it is. Installs hold a
file lock on the cache, so the test processes of a parallel run (pytest -n) install once
and the others wait, then reuse it.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "clients"
INSTALL_TIMEOUT = 600


@dataclass(frozen=True, slots=True)
class Package:
    name: str  # the cache folder's stem
    spec: str  # what npm installs: package@version
    version: str
    command: str  # the executable in node_modules/.bin
    # Claude Code declares node>=22 but its native binary runs on node 20: without the
    # explicit version and this flag, npm quietly picks an old release that allows node 20.
    flags: tuple[str, ...] = ()

    @property
    def folder(self) -> Path:
        return CACHE / f"{self.name}-{self.version}"

    @property
    def executable(self) -> Path:
        return self.folder / "node_modules" / ".bin" / self.command


class InstallError(Exception):
    """Why a CLI could not be installed; its message is written for the CI log."""


def require_node() -> tuple[str, str]:
    """The paths of node and npm, or InstallError saying how to get them."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing = " and ".join(name for name, path in (("node", node), ("npm", npm)) if path is None)
        raise InstallError(
            f"{missing} not found on PATH: the client tests install Claude Code, Codex and Gemini CLI "
            "with npm and run them with node (node 20 or newer). Install them, e.g. "
            "`apt-get install -y nodejs npm` (.ci/run does this in CI)."
        )
    return node, npm


def install_all(packages: list[Package]) -> dict[str, Path]:
    """{package name: its executable}, installing in parallel whatever the cache lacks."""
    _, npm = require_node()
    with _cache_lock():
        missing = [package for package in packages if not _works(package, package.executable)]
        started = [(package, _start_install(npm, package)) for package in missing]
        for package, (staging, process) in started:
            _finish_install(package, staging, process)
    return {package.name: package.executable for package in packages}


@contextmanager
def _cache_lock() -> Iterator[None]:
    """Held while the cache is read and written: one process installs, the others wait."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _start_install(npm: str, package: Package) -> tuple[Path, subprocess.Popen[str]]:
    staging = package.folder.with_name(package.folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    command = [npm, "install", "--prefix", str(staging), package.spec, *package.flags]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return staging, process


def _finish_install(package: Package, staging: Path, process: subprocess.Popen[str]) -> None:
    try:
        output, _ = process.communicate(timeout=INSTALL_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    executable = staging / "node_modules" / ".bin" / package.command
    if process.returncode != 0 or not _works(package, executable):
        shutil.rmtree(staging, ignore_errors=True)
        failed = f"`npm install {package.spec}` failed (rc={process.returncode})"
        raise InstallError(f"{failed}:\n{output[-4000:]}")
    shutil.rmtree(package.folder, ignore_errors=True)
    staging.rename(package.folder)


def _works(package: Package, executable: Path) -> bool:
    """True if `executable --version` names the pinned version (a cached install may be stale)."""
    if not executable.exists():
        return False
    try:
        result = subprocess.run(
            [str(executable), "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and package.version in result.stdout


def install_libraries(name: str, specs: tuple[str, ...]) -> Path:
    """The folder whose node_modules holds the npm packages `specs` (`name@version`), installed
    once into the cache (through a temporary folder, as the CLIs are) and reused after."""
    with _cache_lock():
        return _install_libraries(CACHE / name, specs)


def _install_libraries(folder: Path, specs: tuple[str, ...]) -> Path:
    _, npm = require_node()
    if all(_holds(folder, spec) for spec in specs):
        return folder
    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    command = [npm, "install", "--prefix", str(staging), *specs]
    done = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False)
    if done.returncode != 0 or not all(_holds(staging, spec) for spec in specs):
        shutil.rmtree(staging, ignore_errors=True)
        raise InstallError(
            f"`npm install {' '.join(specs)}` failed (rc={done.returncode}):\n{done.stdout[-4000:]}"
        )
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return folder


def _holds(folder: Path, spec: str) -> bool:
    name, _, version = spec.rpartition("@")
    manifest = folder / "node_modules" / name / "package.json"
    return manifest.exists() and orjson.loads(manifest.read_bytes()).get("version") == version
