"""A fake Grok CLI chat service (upstreams.md §6): the Responses fake at
`/v1/responses`, answering only a live access token from the fake OAuth server and
the Grok CLI's client identity (`x-xai-token-auth: xai-grok-cli`)."""

from __future__ import annotations

from tests.fakes.base import Rejected
from tests.fakes.oauth import FakeOAuth
from tests.fakes.openai_responses import OpenAIResponsesFake
from tests.fakes.script import RecordedRequest


class GrokBackendFake(OpenAIResponsesFake):
    def __init__(self, oauth: FakeOAuth, models: list[str] | None = None) -> None:
        self.oauth = oauth
        super().__init__(key="unused: the OAuth server's tokens are the keys", models=models)

    def check_auth(self, record: RecordedRequest) -> None:
        scheme, _, token = (record.header("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or self.oauth.user_for(token.strip()) is None:
            raise Rejected("Invalid or expired token", status=401, reason="invalid_token")
        if record.header("x-xai-token-auth") != "xai-grok-cli":
            raise Rejected("x-xai-token-auth is required for Grok CLI tokens", status=403)
