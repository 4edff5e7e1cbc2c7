"""The SDK snippets `dragoman setup python-sdk|js-sdk --print` gives, run as they are
against a running dragoman: each of the three SDKs in them gets its answer, with the
key taken from DRAGOMAN_API_KEY."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.setup.conftest import setup
from tests.clients.install import InstallError, install_libraries
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF, serve_gateway

KEY = "snippet-key-7f3a9c"
MODEL = MODEL_OF["openai_chat"]
# The JS SDKs the snippet imports, pinned (they run on node 20, though two ask for 22).
JS_SDKS = ("openai@7.60.0", "@anthropic-ai/sdk@1.17.0", "@google/genai@3.6.1")


def posted_models(fakes: FakeUpstreams) -> list[str]:
    return [request.json["model"] for request in fakes.openai_chat.requests if request.method == "POST"]


def test_the_python_snippet_reaches_dragoman_with_each_sdk(
    user: Path, fakes: FakeUpstreams, monkeypatch: pytest.MonkeyPatch
) -> None:
    fakes.openai_chat.script(*[Reply(text="from the snippet")] * 3)
    monkeypatch.setenv("DRAGOMAN_API_KEY", KEY)
    with serve_gateway(fakes, api_keys=[KEY]) as url:
        snippet = setup("python-sdk", "--model", MODEL, "--url", url, "--print").output
        exec(compile(snippet, "snippet.py", "exec"), {})  # the snippet as a user pastes it
    assert posted_models(fakes) == [MODEL] * 3


@pytest.fixture(scope="session")
def js_sdks() -> Path:
    """A folder whose node_modules has the JS SDKs. Missing node or npm fails the test."""
    try:
        return install_libraries("js-sdks", JS_SDKS)
    except InstallError as error:
        pytest.fail(str(error), pytrace=False)


def test_the_js_snippet_reaches_dragoman_with_each_sdk(
    user: Path, fakes: FakeUpstreams, js_sdks: Path
) -> None:
    fakes.openai_chat.script(*[Reply(text="from the snippet")] * 3)
    # Beside node_modules, where node resolves the snippet's imports; a name of its own.
    script = js_sdks / f"snippet-{secrets.token_hex(4)}.mjs"
    env = {"PATH": os.environ["PATH"], "HOME": str(user), "DRAGOMAN_API_KEY": KEY}
    try:
        with serve_gateway(fakes, api_keys=[KEY]) as url:
            script.write_text(setup("js-sdk", "--model", MODEL, "--url", url, "--print").output)
            node = shutil.which("node") or "node"
            ran = subprocess.run([node, str(script)], env=env, capture_output=True, text=True, timeout=60)
    finally:
        script.unlink(missing_ok=True)
    assert ran.returncode == 0, ran.stderr
    assert posted_models(fakes) == [MODEL] * 3
