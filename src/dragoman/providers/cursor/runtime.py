"""How Cursor treats one account: its own browser login and refresh (`auth.py`), the
account named by its token's subject, and the cursor-agent CLI's headers on what is sent
(the model list; no request is ever sent: `request.py` refuses)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from dragoman.auth.tokens import jwt_claims
from dragoman.providers.cursor import auth
from dragoman.providers.subscription import AccountRuntime, Flow, OAuthSpec

# The cursor-agent CLI's own headers (runtimes.md §3g): its client type and a version
# public clients send, its Connect client's user agent, and ghost mode (Cursor's privacy
# mode: nothing kept for training), which a gateway asks for on its users' behalf.
CLI_HEADERS = {
    "x-cursor-client-type": "cli",
    "x-cursor-client-version": "cli-2026.02.13-41ac335",
    "x-ghost-mode": "true",
    "user-agent": "connect-es/1.6.1",
}

if TYPE_CHECKING:
    import httpx

    from dragoman.auth.login import LoginIO
    from dragoman.store.accounts import Account


class CursorRuntime(AccountRuntime):
    def headers(self, account: Account) -> dict[str, str]:
        """The CLI's headers, with a new request id each time, as the CLI sends."""
        return {**CLI_HEADERS, "x-request-id": str(uuid.uuid4())}

    def identity(self, tokens: dict[str, Any]) -> dict[str, Any]:
        """The account's id: the user of the access token's subject (`auth0|user_...`),
        else of the poll answer's `authId`; the identity provider before `|` says nothing."""
        claims = jwt_claims(tokens.get("access_token"))
        subject = claims.get("sub") or tokens.get("auth_id")
        account_id = subject.rpartition("|")[2] if isinstance(subject, str) else None
        return {"account_id": account_id or None, "email": claims.get("email")}

    async def refresh(self, client: httpx.AsyncClient, oauth: OAuthSpec, account: Account) -> dict[str, Any]:
        return await auth.refresh(client, oauth, account)

    async def login(
        self, client: httpx.AsyncClient, oauth: OAuthSpec, io: LoginIO, no_browser: bool, flow: Flow
    ) -> dict[str, Any]:
        return await auth.poll_login(client, oauth, io)
