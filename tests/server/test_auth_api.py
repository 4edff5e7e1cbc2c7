"""The gateway's subscription endpoints when it serves no account: its database is not
even open, and the answer is the same as for an empty one."""

from __future__ import annotations

import httpx

from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway


def test_no_account_no_login_to_show_or_refresh(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, detect_ollama=False) as url:
        assert httpx.get(url + "/v1/status").json() == {"accounts": [], "client_logins": []}
        assert httpx.post(url + "/v1/auth/refresh").json() == {"refreshed": []}
        missing = httpx.get(url + "/v1/status", params={"account": "nobody"})
        assert missing.status_code == 404


def test_a_provider_that_has_no_login_is_named_not_answered_with_nothing(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, detect_ollama=False) as url:
        for method, path in (("GET", "/v1/status"), ("POST", "/v1/auth/refresh")):
            for provider in ("nosuch", "openai"):
                answer = httpx.request(method, url + path, params={"provider": provider})
                assert answer.status_code == 404, answer.text
                assert f"no subscription provider {provider!r}" in answer.text
                assert "codex" in answer.text  # the kinds that do have logins
        assert httpx.get(url + "/v1/status", params={"provider": "codex"}).json() == {
            "accounts": [],
            "client_logins": [],
        }
