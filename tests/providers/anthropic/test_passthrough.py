"""`[providers.X] kind = "anthropic", auth = "client"`: a Claude Code user keeps their own
login. dragoman forwards the client's `Authorization: Bearer sk-ant-oat...` untouched,
takes its own key from `x-dragoman-key`, and never forwards anything else it was given
(its own key above all). The leak scan checks the token reaches no log or answer."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import anthropic
import pytest

from dragoman.config import ConfigError, ProviderConfig
from dragoman.providers.upstream import build_upstream
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway

LOCAL_KEY = "dragoman-local-" + secrets.token_hex(8)
MODEL = "claude-sonnet-4-6"


@pytest.fixture
def claude_login(fakes: FakeUpstreams) -> str:
    """The client's own Claude OAuth token: the only credential the fake accepts."""
    fakes.anthropic.key = "sk-ant-oat01-" + secrets.token_urlsafe(32)
    return fakes.anthropic.key


@pytest.fixture
def root(fakes: FakeUpstreams) -> Iterator[str]:
    providers = {
        "claude_passthrough": {
            "kind": "anthropic",
            "auth": "client",
            "base_url": fakes.anthropic.base_url,
            "models": [MODEL],
        }
    }
    with serve_gateway(fakes, api_keys=[LOCAL_KEY], providers=providers) as url:
        yield url


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_the_clients_login_is_forwarded_untouched(
    fakes: FakeUpstreams, root: str, claude_login: str, stream: bool
) -> None:
    fakes.anthropic.script(Reply(text="Hello from your own plan"))
    client = anthropic.Anthropic(
        auth_token=claude_login, base_url=root, default_headers={"x-dragoman-key": LOCAL_KEY}, max_retries=0
    )
    with client:
        request = {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]}
        if stream:
            with client.messages.stream(**request) as events:  # type: ignore[arg-type]
                text = events.get_final_text()
        else:
            text = client.messages.create(**request).content[0].text  # type: ignore[arg-type, union-attr]
    assert text == "Hello from your own plan"
    sent = fakes.anthropic.last
    assert sent.header("authorization") == f"Bearer {claude_login}"
    assert sent.header("x-api-key") is None and sent.header("x-dragoman-key") is None


def test_dragomans_own_key_is_never_forwarded(fakes: FakeUpstreams, root: str, claude_login: str) -> None:
    """A client that sends only dragoman's key is refused, in its dialect: that key
    must not go to Anthropic in place of a login."""
    client = anthropic.Anthropic(auth_token=LOCAL_KEY, base_url=root, max_retries=0)
    with client, pytest.raises(anthropic.AuthenticationError) as refused:
        client.messages.create(model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "Hi"}])
    assert "your own Claude login" in str(refused.value) and "x-dragoman-key" in str(refused.value)
    assert fakes.anthropic.requests == []


def test_a_wrong_local_key_stops_the_request_before_anthropic(
    fakes: FakeUpstreams, root: str, claude_login: str
) -> None:
    headers = {"x-dragoman-key": "not-the-key-" + secrets.token_hex(4)}
    with (
        anthropic.Anthropic(
            auth_token=claude_login, base_url=root, default_headers=headers, max_retries=0
        ) as client,
        pytest.raises(anthropic.AuthenticationError),
    ):
        client.messages.create(model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "Hi"}])
    assert fakes.anthropic.requests == []


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"kind": "anthropic", "auth": "client", "api_key": "sk-ant-api-x"}, "remove api_key"),
        ({"kind": "openai", "auth": "client"}, "only anthropic"),
    ],
)
def test_client_auth_is_for_anthropic_and_alone(table: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_upstream("claude_passthrough", ProviderConfig(**table), {})  # type: ignore[arg-type]


def test_a_passthrough_needs_no_key_of_its_own() -> None:
    upstream = build_upstream("claude_passthrough", ProviderConfig(kind="anthropic", auth="client"), {})
    assert upstream.client_auth and upstream.api_key is None and "x-api-key" not in upstream.request_headers()


def _status(root: str) -> dict:
    import httpx

    answer = httpx.get(f"{root}/v1/status", headers={"authorization": f"Bearer {LOCAL_KEY}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_each_client_logins_windows_are_shown_under_a_digest(fakes: FakeUpstreams, root: str) -> None:
    """Two people's Claude logins through one passthrough provider: each one's 5h and
    weekly windows, from the unified headers of its own answers, known by a digest."""
    from tests.fakes.claude_oauth import ClaudeOAuthFake

    logins = ["sk-ant-oat01-" + secrets.token_urlsafe(32) for _ in range(2)]
    spent = {"5h": ("allowed_warning", 0.91, 1_900_000_000.0), "7d": ("allowed", 0.4, 1_900_500_000.0)}
    fresh = {"5h": ("allowed", 0.05, 1_900_000_100.0), "7d": ("allowed", 0.1, 1_900_500_100.0)}
    for login, windows in zip(logins, (spent, fresh), strict=True):
        fakes.anthropic.key = login
        fakes.anthropic.script(Reply(text="OK", headers=ClaudeOAuthFake.window_headers(windows)))
        client = anthropic.Anthropic(
            auth_token=login, base_url=root, default_headers={"x-dragoman-key": LOCAL_KEY}, max_retries=0
        )
        with client:
            client.messages.create(model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "Hi"}])
    status = _status(root)
    seen = {row["usage"][0]["used_percent"]: row for row in status["client_logins"]}
    assert sorted(seen) == [5.0, 91.0]
    first, second = seen[91.0], seen[5.0]
    assert first["provider"] == second["provider"] == "claude_passthrough"
    assert first["login"] != second["login"] and first["login"].startswith("sha256:")
    assert first["usage"] == [
        {"name": "5h", "status": "allowed_warning", "used_percent": 91.0, "resets_at": 1_900_000_000.0},
        {"name": "7d", "status": "allowed", "used_percent": 40.0, "resets_at": 1_900_500_000.0},
    ]
    assert not any(login in str(status) or login[13:] in str(status) for login in logins)
    # The dashboard's account card shows the same, under the passthrough account.
    import httpx

    card = httpx.get(
        f"{root}/v1/admin/accounts/claude_passthrough", headers={"authorization": f"Bearer {LOCAL_KEY}"}
    ).json()
    assert card["client_logins"] == status["client_logins"]


def test_the_same_login_again_replaces_its_windows(
    fakes: FakeUpstreams, root: str, claude_login: str
) -> None:
    from tests.fakes.claude_oauth import ClaudeOAuthFake

    for used in (0.2, 0.3):
        windows = {"5h": ("allowed", used, 1_900_000_000.0)}
        fakes.anthropic.script(Reply(text="OK", headers=ClaudeOAuthFake.window_headers(windows)))
        client = anthropic.Anthropic(
            auth_token=claude_login,
            base_url=root,
            default_headers={"x-dragoman-key": LOCAL_KEY},
            max_retries=0,
        )
        with client:
            client.messages.create(model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "Hi"}])
    (row,) = _status(root)["client_logins"]
    assert row["usage"][0]["used_percent"] == 30.0


def test_an_answer_without_windows_notes_no_login(fakes: FakeUpstreams, root: str, claude_login: str) -> None:
    """An API key's answers (no unified headers) leave nothing behind."""
    fakes.anthropic.script(Reply(text="OK"))
    client = anthropic.Anthropic(
        auth_token=claude_login, base_url=root, default_headers={"x-dragoman-key": LOCAL_KEY}, max_retries=0
    )
    with client:
        client.messages.create(model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "Hi"}])
    assert _status(root)["client_logins"] == []


@pytest.mark.parametrize("status", [429, 401])
def test_one_logins_refusal_does_not_stop_the_others(fakes: FakeUpstreams, root: str, status: int) -> None:
    """One person's spent 5h window (or expired login) is theirs: their 429/401 comes
    back to them, and the next person's request is still served by the same provider."""
    from tests.fakes import Failure
    from tests.fakes.claude_oauth import ClaudeOAuthFake

    spent, other = ("sk-ant-oat01-" + secrets.token_urlsafe(32) for _ in range(2))
    windows = {"5h": ("rejected", 1.0, 1_900_000_000.0), "7d": ("allowed", 0.5, 1_900_500_000.0)}
    refusal = Failure(
        status, "over your limit", retry_after=3600, headers=ClaudeOAuthFake.window_headers(windows)
    )
    fakes.anthropic.key = spent
    fakes.anthropic.script(Reply(error=refusal))
    request = {"model": MODEL, "max_tokens": 8, "messages": [{"role": "user", "content": "Hi"}]}
    first = anthropic.Anthropic(
        auth_token=spent, base_url=root, default_headers={"x-dragoman-key": LOCAL_KEY}, max_retries=0
    )
    with first, pytest.raises(anthropic.APIStatusError) as refused:
        first.messages.create(**request)  # type: ignore[arg-type]
    assert refused.value.status_code == status
    fakes.anthropic.key = other
    fakes.anthropic.script(Reply(text="still served"))
    second = anthropic.Anthropic(
        auth_token=other, base_url=root, default_headers={"x-dragoman-key": LOCAL_KEY}, max_retries=0
    )
    with second:
        answer = second.messages.create(**request)  # type: ignore[arg-type]
    assert answer.content[0].text == "still served"  # type: ignore[union-attr]


def test_native_pass_through_forwards_the_clients_login(
    fakes: FakeUpstreams, root: str, claude_login: str
) -> None:
    """`/claude_passthrough/v1/...` (any Anthropic endpoint, untranslated) carries the
    client's own login too, and never dragoman's key."""
    import httpx

    headers = {"authorization": f"Bearer {claude_login}", "x-dragoman-key": LOCAL_KEY}
    answer = httpx.get(f"{root}/claude_passthrough/v1/models", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    sent = fakes.anthropic.last
    assert sent.header("authorization") == f"Bearer {claude_login}"
    assert sent.header("x-dragoman-key") is None and sent.header("x-api-key") is None
    assert LOCAL_KEY not in str(sent.headers)


def test_native_pass_through_refuses_anything_but_a_claude_login(
    fakes: FakeUpstreams, root: str, claude_login: str
) -> None:
    import httpx

    headers = {"authorization": "Bearer not-a-claude-login", "x-dragoman-key": LOCAL_KEY}
    answer = httpx.get(f"{root}/claude_passthrough/v1/models", headers=headers, timeout=10)
    assert answer.status_code == 401
    assert answer.json()["error"]["type"] == "authentication_error"
    assert "your own Claude login" in answer.text and "not-a-claude-login" not in answer.text
    assert fakes.anthropic.requests == []
