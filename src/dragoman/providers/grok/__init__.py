"""Grok on a SuperGrok / X Premium subscription (`dragoman login --provider grok`).

Logs in as xAI's public Grok CLI client (device code by default, or the browser) and
calls the Grok CLI chat service with xAI's Responses API (upstreams.md §6, oauth.md §4).
An account in xAI's "API mode" may point `[oauth.grok] base_url` at https://api.x.ai/v1.
"""

from dragoman.providers.grok.models import MODELS
from dragoman.providers.grok.quirks import fix_request
from dragoman.providers.grok.runtime import GrokRuntime
from dragoman.providers.spec import ProviderSpec
from dragoman.providers.subscription import OAuthSpec

__all__ = ["SPEC"]

# The Grok CLI release whose client identity is sent.
GROK_CLI_VERSION = "0.2.120"

RISK = (
    "Grok: dragoman signs in as xAI's Grok CLI and calls the chat service made for it, an "
    "interface xAI may change or restrict; some subscription tiers are refused (403). A personal "
    "subscription is for you alone: do not share or resell access to it."
)

OAUTH = OAuthSpec(
    client_id="b1a00492-073a-47ea-816f-4c329264a828",
    authorize_url="https://auth.x.ai/oauth2/auth",
    token_url="https://auth.x.ai/oauth2/token",
    device_url="https://auth.x.ai/oauth2/device/code",
    scopes=("openid", "profile", "email", "offline_access", "grok-cli:access", "api:access"),
    redirect_port=56121,
    redirect_path="/callback",
    redirect_host="127.0.0.1",
    authorize_params={"plan": "generic", "referrer": "dragoman"},
    flows=("device", "callback", "paste"),
    risk_notice=RISK,
)

SPEC = ProviderSpec(
    kind="grok",
    dialects=("openai_responses",),
    base_url="https://cli-chat-proxy.grok.com/v1",
    auth="bearer",
    needs_key=False,
    headers={
        "x-xai-token-auth": "xai-grok-cli",
        "x-grok-client-version": GROK_CLI_VERSION,
        "x-grok-client-identifier": "grok-shell",
        "x-authenticateresponse": "authenticate-response",
        "user-agent": f"xai-grok-workspace/{GROK_CLI_VERSION}",
    },
    models=MODELS,
    fix_request=fix_request,
    # The chat service publishes no model list (the API's /models needs API mode).
    models_path=None,
    oauth=OAUTH,
    runtime=GrokRuntime(),
)
