"""The Code Assist envelope around a Gemini request (upstreams.md §4.3, gemini-cli
packages/core/src/code_assist/converter.ts).

Code Assist methods hang off the base URL itself (`.../v1internal:generateContent`),
not off `/models/{model}`, so the model moves into the body beside the account's
project. Answers come wrapped as `{"response": {...}}`, which the gemini dialect's
parser already reads through (dialects/gemini/stream.py).
"""

from __future__ import annotations

from typing import Any

from dragoman.ir.ids import new_id


def upstream_path(model: str, stream: bool) -> str:
    return ":streamGenerateContent?alt=sse" if stream else ":generateContent"


def wrap(body: dict[str, Any], model: str, project: str | None) -> dict[str, Any]:
    """`body` (a GenerateContentRequest) inside the envelope Code Assist reads."""
    wrapped: dict[str, Any] = {"model": model.removeprefix("models/")}
    if project:
        wrapped["project"] = project
    # One id per prompt, as Gemini CLI sends; each call is its own prompt here.
    wrapped["user_prompt_id"] = new_id("")
    wrapped["request"] = body
    return wrapped
