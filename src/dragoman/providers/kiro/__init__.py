"""Kiro (`dragoman login --provider kiro`, `dragoman accounts add --provider kiro --api-key`).

Kiro's runtime (AWS CodeWhisperer / Q) speaks a protocol of its own: a JSON
conversation state in (`request.py`, `history.py`), the AWS binary event stream out
(`eventstream.py`, `stream.py`), spoken as a private dialect (`wire`). Accounts log in
with a Kiro API key (preferred), Kiro's social login, or a login imported from the
Kiro CLI or IDE (`credentials.py`); each is refreshed its own way (`auth.py`). The
runtime host is the account's base URL, `https://runtime.{region}.kiro.dev`.
"""

from dragoman.providers.kiro.models import MODELS
from dragoman.providers.kiro.region import runtime_host
from dragoman.providers.kiro.runtime import KiroRuntime
from dragoman.providers.spec import ProviderSpec
from dragoman.providers.subscription import OAuthSpec

__all__ = ["SPEC"]

RISK = (
    "Kiro: dragoman calls the runtime made for the Kiro IDE, an interface AWS may change or "
    "restrict. Accounts used through proxies are often suspended (403) or throttled (429), "
    "imported IDE logins most of all; an API key is the safer way. Do not share an account."
)

OAUTH = OAuthSpec(
    # Kiro's portal and auth service take no client id.
    client_id="",
    authorize_url="https://app.kiro.dev/signin",
    authorize_params={"redirect_from": "kirocli"},
    token_url="https://prod.{region}.auth.desktop.kiro.dev/oauth/token",
    # AWS SSO OIDC: Builder ID's device login (`--device`, builder_id.py), and where
    # Builder ID / Identity Center logins are refreshed.
    device_url="https://oidc.{region}.amazonaws.com/device_authorization",
    device_token_url="https://oidc.{region}.amazonaws.com/token",
    redirect_port=3128,
    redirect_path="/oauth/callback",
    flows=("callback", "device"),
    risk_notice=RISK,
)

SPEC = ProviderSpec(
    kind="kiro",
    dialects=("kiro",),
    wire="dragoman.providers.kiro",
    base_url=runtime_host(None),
    auth="bearer",
    needs_key=False,
    # The REST path (`/generateAssistantResponse`, JSON) as peers call it: no X-Amz-Target,
    # which only the root path's `x-amz-json-1.0` form takes. The answer is the event stream.
    headers={"accept": "application/json"},
    models=MODELS,
    # The account's own list, paged, its profile in the query (`models.py`, runtimes.md §3g).
    models_path="/ListAvailableModels",
    oauth=OAUTH,
    runtime=KiroRuntime(),
    takes_keys=True,
)
