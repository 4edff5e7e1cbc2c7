"""Gemini CLI's "Login with Google": its public installed-app client (oauth.md §3).

The official browser flow redirects to `http://127.0.0.1:<any free port>/oauth2callback`
(Google accepts any loopback port for installed apps). Its headless flow (NO_BROWSER)
redirects to Google's authcode page, which shows the code to paste, with PKCE (§3.3).
`access_type=offline` asks for a refresh token, and `prompt=consent` makes Google send
one again on a second login (as pi does): without it only the first consent gets one.
Google's refresh tokens do not rotate; its standard revocation endpoint takes either token.
"""

from __future__ import annotations

from dragoman.providers.subscription import OAuthSpec

RISK_NOTICE = (
    "A Gemini CLI login reaches Google's Code Assist backend (cloudcode-pa), a private API "
    "made for Gemini CLI and Google's IDE plugins. Google's terms may not allow other "
    "clients, and its quotas are per user. Use the login for yourself only; never share it "
    "or serve other people with it."
)

OAUTH = OAuthSpec(
    client_id="681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com",
    # Published on purpose in Gemini CLI's source: an installed app cannot keep a secret.
    client_secret="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",
    authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
    token_url="https://oauth2.googleapis.com/token",
    revoke_url="https://oauth2.googleapis.com/revoke",
    scopes=(
        "https://www.googleapis.com/auth/cloud-platform",
        "https://www.googleapis.com/auth/userinfo.email",
        "https://www.googleapis.com/auth/userinfo.profile",
    ),
    redirect_port=None,
    redirect_path="/oauth2callback",
    redirect_host="127.0.0.1",
    authorize_params={"access_type": "offline", "prompt": "consent"},
    flows=("callback", "paste"),
    risk_notice=RISK_NOTICE,
    paste_redirect_uri="https://codeassist.google.com/authcode",
)
