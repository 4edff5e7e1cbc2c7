"""Claude Pro/Max login: Claude Code's public OAuth client (oauth.md §2).

Two generations of endpoints are in use; these are the 2026 ones (pi-mono and
CLIProxyAPI): authorize on claude.ai, tokens from platform.claude.com, JSON bodies.
Token requests are JSON and the code exchange carries the flow's `state` (§2.4). For a
browser on another machine the redirect is Anthropic's code page, which shows
`CODE#STATE` to paste (`code=true` asks for it); otherwise pi's loopback port 53692.
The scopes are those Claude Code's own tokens carry, plus `org:create_api_key` (pi).
Anthropic offers no revocation endpoint to third parties.
"""

from __future__ import annotations

from dragoman.providers.subscription import OAuthSpec

RISK_NOTICE = (
    "A Claude Pro/Max login is issued to Claude Code: Anthropic's API accepts it only in "
    "requests shaped like Claude Code's, which dragoman imitates. Anthropic's terms may not "
    "allow this use, and the shape it checks can change without notice. Use the login for "
    "yourself only; never share it or serve other people with it."
)

OAUTH = OAuthSpec(
    client_id="9d1c250a-e61b-44d9-88ed-5944d1962f5e",
    authorize_url="https://claude.ai/oauth/authorize",
    token_url="https://platform.claude.com/v1/oauth/token",
    scopes=(
        "org:create_api_key",
        "user:profile",
        "user:inference",
        "user:sessions:claude_code",
        "user:mcp_servers",
        "user:file_upload",
    ),
    redirect_port=53692,
    redirect_path="/callback",
    authorize_params={"code": "true"},
    flows=("callback", "paste"),
    risk_notice=RISK_NOTICE,
    paste_redirect_uri="https://platform.claude.com/oauth/code/callback",
    token_format="json",
    state_in_exchange=True,
)
