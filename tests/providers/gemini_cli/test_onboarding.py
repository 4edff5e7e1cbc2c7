"""Code Assist project discovery against the fake backend (tests/fakes/code_assist.py),
which onboards as gemini-cli's setup.ts expects: the free tier gets a managed project
and refuses a named one, other tiers need the user's own."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from dragoman.ir.errors import GatewayError, PermissionDenied, UpstreamTimeout, UpstreamUnreachable
from dragoman.providers.gemini_cli.onboarding import CodeAssist, discover_project
from dragoman.providers.gemini_cli.runtime import CodeAssistRuntime
from dragoman.providers.subscription import Ineligible
from dragoman.store.accounts import Account
from tests.fakes.code_assist import CodeAssistFake


@pytest.fixture(scope="module")
def backend() -> Iterator[CodeAssistFake]:
    with CodeAssistFake() as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _fresh(backend: CodeAssistFake) -> None:
    backend.reset()


def account(token: str, **extra: object) -> Account:
    return Account(provider="gemini_cli", auth="oauth", access_token=token, extra=dict(extra), id=1)


async def discover(
    backend: CodeAssistFake, token: str | None = None, own: str | None = None, polls: int = 60
) -> dict:
    async with httpx.AsyncClient() as client:
        api = CodeAssist(client, backend.base_url, token or backend.key)
        return await discover_project(api, own, poll_seconds=0.001, polls=polls)


async def test_a_new_free_account_is_onboarded_into_a_managed_project(backend: CodeAssistFake) -> None:
    backend.onboard_polls = 3
    found = await discover(backend)
    assert found == {"project": "user-1-managed-project", "tier": "free-tier"}
    assert backend.calls == {"loadCodeAssist": 1, "onboardUser": 1, "getOperation": 3}
    onboard = next(r for r in backend.requests if r.path.endswith(":onboardUser"))
    assert onboard.json == {
        "tierId": "free-tier",
        "metadata": {
            "ideType": "IDE_UNSPECIFIED",
            "platform": "PLATFORM_UNSPECIFIED",
            "pluginType": "GEMINI",
        },
    }


async def test_an_onboarded_account_is_only_loaded(backend: CodeAssistFake) -> None:
    await discover(backend)
    backend.calls.clear()
    assert await discover(backend) == {"project": "user-1-managed-project", "tier": "free-tier"}
    assert backend.calls == {"loadCodeAssist": 1}


async def test_a_free_account_never_names_its_own_project(backend: CodeAssistFake) -> None:
    """Naming one would be refused with "Precondition Failed"."""
    found = await discover(backend, own="my-project")
    assert found["project"] == "user-1-managed-project"


async def test_a_paid_tier_is_onboarded_with_the_users_project(backend: CodeAssistFake) -> None:
    backend.default_tier = "standard-tier"
    found = await discover(backend, own="my-project")
    assert found == {"project": "my-project", "tier": "standard-tier"}
    onboard = next(r for r in backend.requests if r.path.endswith(":onboardUser"))
    assert onboard.json["cloudaicompanionProject"] == "my-project"
    assert onboard.json["metadata"]["duetProject"] == "my-project"
    load = next(r for r in backend.requests if r.path.endswith(":loadCodeAssist"))
    assert load.json["cloudaicompanionProject"] == "my-project"


async def test_a_paid_tier_without_a_project_says_what_to_set(backend: CodeAssistFake) -> None:
    backend.default_tier = "standard-tier"
    with pytest.raises(PermissionDenied, match="GOOGLE_CLOUD_PROJECT"):
        await discover(backend)
    assert backend.calls == {"loadCodeAssist": 1}


async def test_an_account_google_wants_verified_names_the_page(backend: CodeAssistFake) -> None:
    backend.validation_url = "https://accounts.google.com/verify?x=1"
    with pytest.raises(PermissionDenied, match=r"https://accounts.google.com/verify\?x=1"):
        await discover(backend)


async def test_onboarding_that_never_finishes_times_out(backend: CodeAssistFake) -> None:
    backend.onboard_polls = 100
    with pytest.raises(UpstreamTimeout):
        await discover(backend, polls=3)


async def test_a_refused_token_keeps_its_401(backend: CodeAssistFake) -> None:
    """So the caller can refresh the token and try again."""
    with pytest.raises(GatewayError) as refused:
        await discover(backend, token="ya29.unknown")
    assert refused.value.status == 401


async def test_the_runtime_uses_the_accounts_token_and_own_project(backend: CodeAssistFake) -> None:
    backend.default_tier = "standard-tier"
    backend.allow("ya29.second", user="user-2")
    runtime = CodeAssistRuntime(poll_seconds=0.001, environ={"GOOGLE_CLOUD_PROJECT": "env-project"})
    async with httpx.AsyncClient() as client:
        named = await runtime.setup(
            account("ya29.second", google_cloud_project="named"), client, backend.base_url
        )
        from_env = await runtime.setup(account(backend.key), client, backend.base_url)
    assert named == {"project": "named", "tier": "standard-tier"}
    assert from_env == {"project": "env-project", "tier": "standard-tier"}
    assert backend.projects == {"user-2": "named", "user-1": "env-project"}


async def test_an_unreachable_code_assist_is_told_plainly() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    async with httpx.AsyncClient() as client:
        api = CodeAssist(client, f"http://127.0.0.1:{port}/v1internal", "token")
        with pytest.raises(UpstreamUnreachable) as caught:
            await api.call("loadCodeAssist", {})
    assert str(caught.value) == (
        f"Code Assist is unreachable at http://127.0.0.1:{port}: the connection was refused"
    )


async def test_a_personal_account_after_the_cut_off_is_ineligible_at_once(backend: CodeAssistFake) -> None:
    """Google's reason and what remains, after one loadCodeAssist: no onboarding, which
    would only fail too."""
    backend.cut_off = True
    with pytest.raises(Ineligible) as refused:
        await discover(backend)
    message = refused.value.message
    assert "no longer supported for Gemini Code Assist for individuals" in message
    assert "Workspace" in message and "API key" in message
    assert refused.value.status == 403
    assert backend.calls == {"loadCodeAssist": 1}


async def test_an_ineligible_tier_beside_an_offered_one_is_onboarded(backend: CodeAssistFake) -> None:
    """Only an account with no tier left to it is refused."""
    loaded = {
        "allowedTiers": [{"id": "standard-tier", "isDefault": True}],
        "ineligibleTiers": [{"tierId": "free-tier", "reasonMessage": "not for individuals"}],
    }
    from dragoman.providers.gemini_cli.onboarding import _check_eligible

    _check_eligible(loaded)  # offered: no refusal
    with pytest.raises(Ineligible, match="not for individuals"):
        _check_eligible({**loaded, "allowedTiers": [{"id": "free-tier", "isDefault": True}]})
