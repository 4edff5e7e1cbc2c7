"""Claude Pro/Max subscriptions: Anthropic's Messages API with a Claude Code login.

Anthropic serves a consumer OAuth token (`sk-ant-oat01-...`) only in requests shaped
like Claude Code's (upstreams.md §2.1): the token as a bearer with the
`oauth-2025-04-20` beta and Claude Code's client headers (headers.py), Claude Code's
identity as the first system block (quirks.py) and Claude Code-style tool names
(tools.py, renamed back for the client). The live model list is not read: whether the
models endpoint takes these tokens is not confirmed, so the list is the anthropic
kind's. The answers' unified rate-limit headers are read by usage.py.
"""

from dragoman.providers.claude.auth import OAUTH
from dragoman.providers.claude.headers import HEADERS
from dragoman.providers.claude.models import MODELS
from dragoman.providers.claude.quirks import fix_request
from dragoman.providers.claude.runtime import ClaudeRuntime
from dragoman.providers.claude.tools import rename_tools
from dragoman.providers.spec import ProviderSpec

__all__ = ["SPEC"]

SPEC = ProviderSpec(
    kind="claude",
    dialects=("anthropic",),
    base_url="https://api.anthropic.com/v1",
    # The account's access token, never an x-api-key (the API would read it as a key).
    auth="bearer",
    needs_key=False,
    headers=HEADERS,
    models=MODELS,
    forward_headers=("anthropic-beta",),
    fix_request=fix_request,
    rename_tools=rename_tools,
    models_path=None,
    # count_tokens takes the login as Claude Code's own token count does (its /context).
    login_counter="anthropic",
    oauth=OAUTH,
    runtime=ClaudeRuntime(),
)
