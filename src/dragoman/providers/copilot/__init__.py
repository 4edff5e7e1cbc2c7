"""GitHub Copilot (`dragoman login --provider copilot`).

Logs in with GitHub's device flow as the VS Code Copilot app, keeps the GitHub token as
the refresh token, and exchanges it for the short-lived Copilot token every request
carries (oauth.md §7, `dragoman.auth.exchange`). Claude models go to Copilot's native
Anthropic endpoint (no translation, thinking signatures kept), Codex models to
Responses, the others to Chat Completions (upstreams.md §9, runtimes.md §3g).
"""

from dragoman.providers.copilot.client import EDITOR_HEADERS
from dragoman.providers.copilot.models import MODELS
from dragoman.providers.copilot.quirks import dialect_for, fix_request, upstream_path
from dragoman.providers.copilot.runtime import CopilotRuntime
from dragoman.providers.spec import ProviderSpec
from dragoman.providers.subscription import OAuthSpec

__all__ = ["SPEC"]

RISK = (
    "Copilot: dragoman signs in as GitHub's VS Code Copilot app and calls the API made for "
    "editors, an interface GitHub may change or restrict; unusual traffic draws abuse-detection "
    "warnings. Requests a user starts spend premium requests. A personal subscription is for "
    "you alone: do not share or resell access to it."
)

OAUTH = OAuthSpec(
    client_id="Iv1.b507a08c87ecfe98",
    token_url="https://github.com/login/oauth/access_token",
    device_url="https://github.com/login/device/code",
    verification_url="https://github.com/login/device",
    exchange_url="https://api.github.com/copilot_internal/v2/token",
    exchange_headers=EDITOR_HEADERS,
    quota_url="https://api.github.com/copilot_internal/user",
    scopes=("read:user",),
    flows=("device",),
    risk_notice=RISK,
)

SPEC = ProviderSpec(
    kind="copilot",
    dialects=("openai_chat", "openai_responses", "anthropic"),
    # The account's own API host (individual, business, enterprise) comes with its login.
    base_url="https://api.githubcopilot.com",
    auth="bearer",
    needs_key=False,
    headers={
        **EDITOR_HEADERS,
        "copilot-integration-id": "vscode-chat",
        "openai-intent": "conversation-panel",
        "x-vscode-user-agent-library-version": "electron-fetch",
    },
    models=MODELS,
    fix_request=fix_request,
    dialect_for=dialect_for,
    upstream_path=upstream_path,
    models_path="/models",
    oauth=OAUTH,
    runtime=CopilotRuntime(),
)
