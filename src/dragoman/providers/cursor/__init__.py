"""Cursor (`dragoman login --provider cursor`): the login, refreshed, and the account's
live model list; no requests yet.

The login is the cursor-agent CLI's: a browser page and a poll, no local callback
(`auth.py`). The model list is the CLI's `GetUsableModels`, a unary Connect call whose
messages public clients agree on (`models.py`, read with `proto.py`). Cursor's
runtime, the Agent API, is a bidirectional HTTP/2 Connect stream of protobuf messages
no public source describes completely: requests routed to a Cursor account are refused
with a clear error in the client's dialect (`request.py`) rather than sent on a guess.
`connect.py` reads the Connect framing, ready for the day the messages are known. Every
URL moves with `[oauth.cursor]` (`authorize_url` the login page, `device_token_url` the
poll, `token_url` the refresh, `base_url` the runtime and its model list).
"""

from dragoman.providers.cursor.models import LIST_PATH, MODELS
from dragoman.providers.cursor.runtime import CursorRuntime
from dragoman.providers.spec import ProviderSpec
from dragoman.providers.subscription import OAuthSpec

__all__ = ["SPEC"]

RISK = (
    "Cursor: dragoman logs in as Cursor's command-line agent, an interface Cursor may change or "
    "restrict; it reads the account's model list but does not send requests to Cursor yet (see the "
    "README). Do not share an account."
)

OAUTH = OAuthSpec(
    # The desktop app's public auth client id, which Cursor's refresh endpoint takes.
    client_id="KbZUR41cY7W6zRSdpSUJ7I7mLYBKOCmB",
    authorize_url="https://cursor.com/loginDeepControl",
    # Polled until the browser login is done (404 pending, 200 the tokens).
    device_token_url="https://api2.cursor.sh/auth/poll",
    token_url="https://api2.cursor.sh/oauth/token",
    flows=("callback",),
    risk_notice=RISK,
)

SPEC = ProviderSpec(
    kind="cursor",
    dialects=("cursor",),
    wire="dragoman.providers.cursor",
    base_url="https://agentn.global.api5.cursor.sh",
    auth="bearer",
    needs_key=False,
    models=MODELS,
    # GetUsableModels, a Connect unary call read by models.py.
    models_path=LIST_PATH,
    oauth=OAUTH,
    runtime=CursorRuntime(),
)
