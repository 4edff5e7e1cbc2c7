"""ChatGPT subscriptions through the Codex backend (`dragoman login --provider codex`).

The backend speaks OpenAI Responses, streams only, and wants the account id and
client identity headers (upstreams.md §1); every client dialect reaches it through
translation. Constants from oauth.md §1 (OpenAI's Codex CLI public client).
"""

from dragoman.providers.codex.client import HEADERS, ORIGINATOR
from dragoman.providers.codex.models import MODELS
from dragoman.providers.codex.quirks import fix_request
from dragoman.providers.codex.runtime import CodexRuntime
from dragoman.providers.spec import ProviderSpec
from dragoman.providers.subscription import OAuthSpec

__all__ = ["SPEC"]

RISK = (
    "Codex: dragoman calls the ChatGPT backend made for OpenAI's own Codex clients, a private "
    "interface OpenAI may change or restrict at any time. Requests count against your plan's "
    "Codex limits. A personal subscription is for you alone: do not share or resell access to it."
)

OAUTH = OAuthSpec(
    client_id="app_EMoamEEZ73f0CkXaXp7hrann",
    authorize_url="https://auth.openai.com/oauth/authorize",
    token_url="https://auth.openai.com/oauth/token",
    revoke_url="https://auth.openai.com/oauth/revoke",
    device_url="https://auth.openai.com/api/accounts/deviceauth/usercode",
    device_token_url="https://auth.openai.com/api/accounts/deviceauth/token",
    device_redirect_uri="https://auth.openai.com/deviceauth/callback",
    verification_url="https://auth.openai.com/codex/device",
    device_style="openai",
    scopes=("openid", "profile", "email", "offline_access"),
    redirect_port=1455,
    redirect_path="/auth/callback",
    authorize_params={
        "id_token_add_organizations": "true",
        "codex_cli_simplified_flow": "true",
        "originator": ORIGINATOR,
    },
    flows=("callback", "paste", "device"),
    risk_notice=RISK,
)

SPEC = ProviderSpec(
    kind="codex",
    dialects=("openai_responses",),
    base_url="https://chatgpt.com/backend-api/codex",
    auth="bearer",
    needs_key=False,
    headers=HEADERS,
    models=MODELS,
    fix_request=fix_request,
    compaction=True,
    image_tool=True,
    # The backend's list (`/models?client_version=`) is not in the Responses list shape.
    models_path=None,
    oauth=OAUTH,
    runtime=CodexRuntime(),
)
