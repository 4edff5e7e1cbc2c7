"""How the Grok CLI chat service treats an xAI account: the OAuth token as Bearer,
the Grok CLI's client identity (static, in the SPEC's headers), and the conversation
key as `x-grok-conv-id`. The account's email and id come from the id token."""

from __future__ import annotations

from typing import Any

from dragoman.auth.tokens import jwt_claims
from dragoman.providers.affinity import conversation_key
from dragoman.providers.subscription import AccountRuntime
from dragoman.store.accounts import Account


class GrokRuntime(AccountRuntime):
    def call_headers(self, account: Account, body: dict[str, Any]) -> dict[str, str]:
        return {"x-grok-conv-id": conversation_key(body)}

    def identity(self, tokens: dict[str, Any]) -> dict[str, Any]:
        id_claims = jwt_claims(tokens.get("id_token")) if isinstance(tokens.get("id_token"), str) else {}
        access = tokens.get("access_token") or tokens.get("key")
        exp = jwt_claims(access).get("exp") if isinstance(access, str) else None
        email, subject = id_claims.get("email"), id_claims.get("sub")
        return {
            "email": email if isinstance(email, str) else None,
            "account_id": subject if isinstance(subject, str) else None,
            "expires_at": float(exp) if isinstance(exp, int | float) else None,
        }
