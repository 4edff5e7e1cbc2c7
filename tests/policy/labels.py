"""Labels for the classifier's labelled set: the rubric, and each captured request's
label with its reason (the written requests carry theirs in `written.SPECS`).

A label is the tier a person would pick from the request's content and the issue's
rules, never from what the classifier answered:

- simple: a short question, a lookup, a translation, a reformatting, a one-line
  function, a short routine text: any small model does it well.
- medium: ordinary coding (a query, tests, reading or reviewing a short piece of code),
  routine debugging, a routine agent step, a long input that only needs summarizing.
- complex: design with trade-offs, a subtle bug across parts of a system, planning a
  change in stages, an agent going round in circles (the issue: escalate one tier).
- reasoning: a proof or derivation to construct, a puzzle that needs careful deduction.

And the floors the issue sets by default: a request offering tools is at least medium,
one with images at least complex (`[auto.floors]`).
"""

from __future__ import annotations

AGENT = "the client offers its tools: the default tools floor is medium"

# Each captured generation request (tests/fixtures/client-requests): (label, reason).
CAPTURED: dict[str, tuple[str, str]] = {
    "claude-code/01-anthropic.messages.stream": ("medium", f"'Reply with OK', but {AGENT}"),
    "claude-code/02-anthropic.messages.stream": ("medium", f"read hello.txt, but {AGENT}"),
    "claude-code/03-anthropic.messages.stream": ("medium", f"the file's content back, to relay; {AGENT}"),
    "claude-code/04-anthropic.messages.stream": ("medium", f"'Reply with OK', but {AGENT}"),
    "claude-code/05-anthropic.messages.stream": ("medium", f"read hello.txt, but {AGENT}"),
    "claude-code/06-anthropic.messages.stream": ("medium", f"the file's content back, to relay; {AGENT}"),
    "codex/01-openai.responses.stream": ("medium", f"'Reply with OK', but {AGENT}"),
    "codex/02-openai.responses.stream": ("medium", f"read hello.txt, but {AGENT}"),
    "codex/03-openai.responses.stream": ("medium", f"the command's output back, to relay; {AGENT}"),
    "codex/04-openai.responses.stream": ("medium", f"'Reply with OK', but {AGENT}"),
    "codex/05-openai.responses.stream": ("medium", f"read hello.txt, but {AGENT}"),
    "codex/06-openai.responses.stream": ("medium", f"read hello.txt, but {AGENT}"),
    "codex/07-openai.responses.stream": ("medium", f"the command's output back, to relay; {AGENT}"),
    "gemini-cli/01-gemini.stream": ("medium", f"'Reply with OK', but {AGENT}"),
    "gemini-cli/02-gemini.stream": ("medium", f"read hello.txt, but {AGENT}"),
    "gemini-cli/03-gemini.stream": ("medium", f"the file's content back, to relay; {AGENT}"),
    "gemini-cli/04-gemini.generate": ("simple", "its model-router call: rate one short prompt, no tools"),
    "gemini-cli/05-gemini.stream": ("medium", f"'Reply with OK', but {AGENT}"),
    "gemini-cli/06-gemini.generate": ("simple", "its model-router call: rate one short prompt, no tools"),
    "gemini-cli/07-gemini.stream": ("medium", f"read hello.txt, but {AGENT}"),
    "gemini-cli/08-gemini.stream": ("medium", f"the file's content back, to relay; {AGENT}"),
    "python-sdks/01-openai.chat": ("simple", "'Reply with OK', nothing else"),
    "python-sdks/02-openai.chat.stream": ("simple", "'Reply with OK', nothing else"),
    "python-sdks/03-openai.responses": ("simple", "'Reply with OK', nothing else"),
    "python-sdks/04-openai.responses.stream": ("simple", "'Reply with OK', nothing else"),
    "python-sdks/05-openai.responses.stream": ("simple", "'Reply with OK', nothing else"),
    "python-sdks/07-anthropic.messages": ("simple", "'Reply with OK', nothing else"),
    "python-sdks/08-anthropic.messages.stream": ("simple", "'Reply with OK', nothing else"),
    "python-sdks/10-anthropic.messages": ("simple", "'Reply with OK', nothing else"),
    "python-sdks/12-gemini.generate": ("simple", "'Reply with OK', nothing else"),
    "python-sdks/13-gemini.generate": ("simple", "'Reply with OK', nothing else"),
    "python-sdks/15-gemini.stream": ("simple", "'Reply with OK', nothing else"),
    "python-sdks/16-gemini.generate": ("simple", "'give json': a two-word request for a JSON answer"),
}
