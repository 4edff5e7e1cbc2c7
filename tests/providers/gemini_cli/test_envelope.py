"""The Code Assist envelope: model and project around the Gemini request, at the base
URL's own methods."""

from __future__ import annotations

from dragoman.providers.gemini_cli import SPEC
from dragoman.providers.gemini_cli.envelope import upstream_path, wrap
from dragoman.store.accounts import Account


def test_methods_hang_off_the_base_url() -> None:
    assert upstream_path("gemini-2.5-pro", False) == ":generateContent"
    assert upstream_path("gemini-2.5-pro", True) == ":streamGenerateContent?alt=sse"
    assert SPEC.upstream_path is upstream_path


def test_the_request_is_wrapped_with_model_project_and_prompt_id() -> None:
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    wrapped = wrap(body, "models/gemini-2.5-pro", "proj-1")
    assert wrapped["model"] == "gemini-2.5-pro"
    assert wrapped["project"] == "proj-1"
    assert wrapped["request"] is body
    assert isinstance(wrapped["user_prompt_id"], str) and wrapped["user_prompt_id"]
    assert wrap(body, "gemini-2.5-pro", "proj-1")["user_prompt_id"] != wrapped["user_prompt_id"]


def test_the_runtime_wraps_with_the_accounts_project() -> None:
    runtime = SPEC.runtime
    assert runtime is not None
    account = Account(provider="gemini_cli", auth="oauth", extra={"project": "proj-9"})
    assert runtime.wrap({"contents": []}, "gemini-2.5-flash", account)["project"] == "proj-9"
    assert "project" not in runtime.wrap({"contents": []}, "gemini-2.5-flash", Account(provider="gemini_cli"))
    headers = runtime.call_headers(account, {"model": "gemini-2.5-flash"})
    assert headers["user-agent"].startswith("GeminiCLI/") and "/gemini-2.5-flash " in headers["user-agent"]
