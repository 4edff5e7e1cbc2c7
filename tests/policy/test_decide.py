"""Rules and `auto` end to end: a real dragoman in front of the fake upstreams, each
rule field and action seen from the client (the answer, its `x-dragoman-route`), from
the upstream (which model, account and effort it got) and from the trace."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from dragoman.config import ModelsConfig, load
from dragoman.config.routing import AutoConfig, RoutingConfig, TierMap
from dragoman.ir.errors import PermissionDenied
from dragoman.ir.messages import Message, Text
from dragoman.ir.request import Request
from dragoman.policy import Policy
from dragoman.providers.upstream import build_upstreams
from dragoman.routing.catalog import Catalog
from dragoman.routing.registry import Registry
from dragoman.server.app import build_gateway
from tests.captures import load_all
from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import providers_for, serve_gateway
from tests.policy.written import PIXEL

KEYS = ["sk-local-one-1234567890", "sk-local-two-1234567890"]
TIERS = {
    "simple": "gemini-2.5-flash",
    "medium": "gpt-4.1",
    "complex": "claude-sonnet-4-6",
    "reasoning": "gpt-5",
}
RULES: list[dict[str, Any]] = [
    {"name": "team-b-out", "match": {"header": {"X-Team": "b"}}, "deny": "team b may not use this gateway"},
    {"name": "key2-pool", "match": {"key": "key2", "model": "gpt-4.1"}, "set": {"provider": "backup"}},
    {"name": "key2-nothing-else", "match": {"key": "key2"}, "deny": "key2 may only use gpt-4.1"},
    {
        "name": "claude-code-haiku",
        "match": {"client": "claude-code", "model": "claude-*haiku*"},
        "set": {"model": "gemini-2.5-flash"},
    },
    {
        "name": "gemini-router",
        "match": {"client": "gemini-cli", "dialect": "gemini", "tools": False},
        "set": {"model": "gemini-2.5-flash"},
    },
    {"name": "long-to-pro", "match": {"min_tokens": 30000}, "set": {"model": "gemini-3-pro-preview"}},
    {"name": "images-to-pro", "match": {"images": True}, "set": {"model": "gemini-3-pro-preview"}},
    {
        "name": "gpt5-low",
        "match": {"model": "gpt-5", "dialect": "openai_chat"},
        "set": {"reasoning_effort": "low"},
    },
    {"name": "cheap-is-auto", "match": {"model": "cheap"}, "set": {"model": "auto"}},
]
CLAUDE_CODE = {"anthropic-version": "2023-06-01", "user-agent": "claude-cli/2.1.329 (external, sdk-cli)"}


@pytest.fixture(scope="module")
def url(fake_upstreams_session: FakeUpstreams) -> Iterator[str]:
    providers = providers_for(fake_upstreams_session)
    backup = {**providers["up_openai_chat"], "headers": {"x-account": "backup"}}
    settings = {
        "providers": {**providers, "backup": backup},
        "api_keys": KEYS,
        "auto": {"tiers": TIERS},
        "routing": {"rules": RULES},
    }
    with serve_gateway(fake_upstreams_session, **settings) as served:
        yield served


def _post(url: str, path: str, body: Any, key: str = KEYS[0], **headers: str) -> httpx.Response:
    sent = {"authorization": f"Bearer {key}", **headers}
    return httpx.post(url + path, content=orjson.dumps(body), headers=sent, timeout=10)


def chat(url: str, model: str, text: str = "hi", **headers: str) -> httpx.Response:
    return _post(
        url,
        "/v1/chat/completions",
        {"model": model, "messages": [{"role": "user", "content": text}]},
        **headers,
    )


def claude(url: str, model: str, content: Any = "hi", **headers: str) -> httpx.Response:
    body = {"model": model, "max_tokens": 10, "messages": [{"role": "user", "content": content}]}
    return _post(url, "/v1/messages", body, **{**CLAUDE_CODE, **headers})


def _last_model(fakes: FakeUpstreams, dialect: str) -> str | None:
    record = fakes[dialect].requests[-1]
    return (
        record.json.get("model") if "model" in record.json else record.path.split("models/")[1].split(":")[0]
    )


def test_auto_picks_the_tier_model_and_says_why(url: str, fakes: FakeUpstreams) -> None:
    answer = claude(url, "auto", "What is the capital of France?")
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-dragoman-route"] == "tier=simple; model=gemini-2.5-flash; reason=score 0"
    assert _last_model(fakes, "gemini") == "gemini-2.5-flash"
    assert answer.json()["model"]  # answered in the client's dialect
    [trace] = [
        t
        for t in httpx.get(url + "/v1/traces", headers={"x-api-key": KEYS[0]}, timeout=10).json()["traces"]
        if t["id"] == answer.headers["x-request-id"]
    ]
    assert trace["model"] == "auto" and trace["upstream_model"] == "gemini-2.5-flash"
    assert trace["routing"]["tier"] == "simple" and trace["routing"]["scores"] == {}


def test_auto_streams_with_the_route_header(url: str, fakes: FakeUpstreams) -> None:
    body = {
        "model": "auto",
        "stream": True,
        "messages": [{"role": "user", "content": "Prove that there are infinitely many primes."}],
    }
    with httpx.stream(
        "POST",
        url + "/v1/chat/completions",
        content=orjson.dumps(body),
        headers={"authorization": f"Bearer {KEYS[0]}"},
        timeout=10,
    ) as answer:
        assert answer.status_code == 200
        text = answer.read().decode()
    assert answer.headers["x-dragoman-route"].startswith(
        "tier=complex; model=claude-sonnet-4-6; reason=score 4 (reasoning_marker+4)"
    )
    assert "data:" in text
    assert _last_model(fakes, "anthropic") == "claude-sonnet-4-6"


def test_a_sessions_tier_holds_through_the_gateway(url: str) -> None:
    # Claude Code names its session in a header: the session key the pools use.
    session = {"x-claude-code-session-id": "sticky-through-the-gateway"}
    hard = claude(url, "auto", "Prove that there are infinitely many primes.", **session)
    easy = claude(url, "auto", "Thanks!", **session)
    elsewhere = claude(url, "auto", "Thanks!", **{"x-claude-code-session-id": "another-session"})
    assert hard.headers["x-dragoman-route"].startswith("tier=complex; model=claude-sonnet-4-6; ")
    route = easy.headers["x-dragoman-route"]
    assert route.startswith("tier=complex; model=claude-sonnet-4-6; ") and "session held complex" in route
    assert elsewhere.headers["x-dragoman-route"] == "tier=simple; model=gemini-2.5-flash; reason=score 0"


def test_an_unknown_auto_profile_is_a_404_in_the_dialect(url: str) -> None:
    answer = chat(url, "auto/nope")
    assert answer.status_code == 404
    assert "auto profile 'nope'" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "body", "shape"),
    [
        (
            "/v1/chat/completions",
            {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}]},
            "openai",
        ),
        ("/v1/responses", {"model": "gpt-5", "input": "hi"}, "openai"),
        (
            "/v1/messages",
            {"model": "claude-sonnet-4-6", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]},
            "anthropic",
        ),
        (
            "/v1beta/models/gemini-2.5-flash:generateContent",
            {"contents": [{"parts": [{"text": "hi"}]}]},
            "gemini",
        ),
    ],
)
def test_deny_is_a_403_in_each_dialect(
    url: str, fakes: FakeUpstreams, path: str, body: Any, shape: str
) -> None:
    answer = _post(url, path, body, **{"x-team": "b", "anthropic-version": "2023-06-01"})
    assert answer.status_code == 403, answer.text
    error = answer.json()["error"]
    message = error["message"]
    assert "team b may not use this gateway" in message and "team-b-out" in message
    if shape == "anthropic":
        assert answer.json()["type"] == "error" and error["type"] == "permission_error"
    elif shape == "gemini":
        assert error["code"] == 403 and error["status"] == "PERMISSION_DENIED"
    else:
        assert error["type"] and error["code"]
    assert all(not fake.requests for fake in fakes)


def test_a_key_is_held_to_one_pool(url: str, fakes: FakeUpstreams) -> None:
    body = {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}]}
    answer = _post(url, "/v1/chat/completions", body, key=KEYS[1])
    assert answer.status_code == 200
    assert fakes.openai_chat.requests[-1].header("x-account") == "backup"
    assert answer.headers["x-dragoman-route"] == "tier=-; model=backup/gpt-4.1; reason=rule key2-pool"
    other = _post(url, "/v1/responses", {"model": "gpt-5", "input": "hi"}, key=KEYS[1])
    assert other.status_code == 403 and "key2 may only use gpt-4.1" in other.json()["error"]["message"]
    assert chat(url, "gpt-5").status_code == 200  # the first key is not held


def test_claude_codes_haiku_calls_go_to_the_cheap_model(url: str, fakes: FakeUpstreams) -> None:
    answer = claude(url, "claude-haiku-4-5", "Write a 3-word title for this conversation.")
    assert answer.status_code == 200, answer.text
    assert _last_model(fakes, "gemini") == "gemini-2.5-flash"
    assert (
        answer.headers["x-dragoman-route"] == "tier=-; model=gemini-2.5-flash; reason=rule claude-code-haiku"
    )
    other_client = claude(url, "claude-haiku-4-5", **{"user-agent": "Anthropic/Python 2.11.0"})
    assert other_client.status_code == 404  # the rule is Claude Code's: haiku is not served here
    assert "x-dragoman-route" not in other_client.headers


def test_gemini_clis_router_call_goes_to_the_cheap_model(url: str, fakes: FakeUpstreams) -> None:
    [router] = [c for c in load_all() if c.name == "gemini-cli/04-gemini.generate"]
    answer = _post(url, router.path, router.body, **{"user-agent": router.headers["User-Agent"]})
    assert answer.status_code == 200, answer.text
    assert _last_model(fakes, "gemini") == "gemini-2.5-flash"
    assert "rule gemini-router" in answer.headers["x-dragoman-route"]
    [turn] = [c for c in load_all() if c.name == "gemini-cli/01-gemini.stream"]
    with_tools = _post(
        url,
        turn.path.replace("streamGenerateContent", "generateContent"),
        turn.body,
        **{"user-agent": turn.headers["User-Agent"]},
    )
    assert with_tools.status_code == 200
    assert "x-dragoman-route" not in with_tools.headers  # offers tools: the rule does not apply


def test_min_tokens_and_images_pick_the_large_model(url: str, fakes: FakeUpstreams) -> None:
    long = chat(url, "gpt-4.1", "word " * 25_000)
    assert long.status_code == 200 and _last_model(fakes, "gemini") == "gemini-3-pro-preview"
    assert "rule long-to-pro" in long.headers["x-dragoman-route"]
    pixel = PIXEL
    image = [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": pixel}},
        {"type": "text", "text": "what is it?"},
    ]
    seen = claude(url, "gpt-4.1", image, **{"user-agent": "curl/8.5.0"})
    assert seen.status_code == 200 and "rule images-to-pro" in seen.headers["x-dragoman-route"]
    assert chat(url, "gpt-4.1", "short").headers.get("x-dragoman-route") is None


def test_a_rule_sets_the_reasoning_effort(url: str, fakes: FakeUpstreams) -> None:
    answer = chat(url, "gpt-5")
    assert answer.status_code == 200
    assert fakes.openai_responses.requests[-1].json["reasoning"]["effort"] == "low"
    assert answer.headers["x-dragoman-route"] == "tier=-; model=gpt-5; reason=rule gpt5-low"


def test_a_rule_may_send_a_model_to_auto(url: str, fakes: FakeUpstreams) -> None:
    answer = chat(url, "cheap", "Hello!")
    assert (
        answer.headers["x-dragoman-route"]
        == "tier=simple; model=gemini-2.5-flash; reason=rule cheap-is-auto, score 0"
    )
    assert _last_model(fakes, "gemini") == "gemini-2.5-flash"


def test_with_no_rule_and_no_auto_the_policy_is_not_consulted() -> None:
    request = Request(model="gpt-4.1", messages=[Message("user", [Text("hi")])])
    assert Policy().route(request, Registry([], ModelsConfig()), "openai_chat") is None
    assert request.model == "gpt-4.1"


def test_the_baseline_is_the_model_asked_for_else_the_top_tiers() -> None:
    served = {
        "kind": "openai_compatible",
        "base_url": "http://127.0.0.1:9/v1",
        "models": ["gpt-5", "gpt-4.1"],
    }
    settings = load(overrides={"providers": {"big": served}})
    registry = Catalog(settings, build_upstreams(settings, environ={}), environ={}).registry()
    rules = [
        {"name": "named-to-auto", "match": {"model": "gpt-4.1"}, "set": {"model": "auto"}},
        {"name": "nickname-to-auto", "match": {"model": "cheap"}, "set": {"model": "auto"}},
    ]
    policy = Policy(
        AutoConfig(tiers=TierMap(simple="gpt-4.1", medium="gpt-4.1", complex="gpt-4.1", reasoning="gpt-5")),
        RoutingConfig.model_validate({"rules": rules}),
    )

    def baseline(model: str) -> str | None:
        request = Request(model=model, messages=[Message("user", [Text("hi")])])
        decision = policy.route(request, registry, "openai_chat")
        assert decision is not None and decision.model == "gpt-4.1"
        return decision.baseline

    # What the client asked for by name is what it would have cost; auto, or a name that
    # is no model, is priced at the top tier.
    assert [baseline("gpt-4.1"), baseline("auto"), baseline("cheap")] == ["gpt-4.1", "gpt-5", "gpt-5"]


def test_a_deny_rule_raises_permission_denied_before_any_upstream() -> None:
    policy = Policy(AutoConfig(), RoutingConfig.model_validate({"rules": [{"name": "no", "deny": "closed"}]}))
    with pytest.raises(PermissionDenied, match="closed"):
        policy.route(Request(model="x"), Registry([], ModelsConfig()), "anthropic")


def test_auto_works_with_no_configuration(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes) as plain:
        answer = _post(
            plain, "/v1/chat/completions", {"model": "auto", "messages": [{"role": "user", "content": "hi"}]}
        )
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-dragoman-route"] == "tier=simple; model=gemini-2.5-flash; reason=score 0"


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_an_error_answer_says_where_the_request_was_routed(fakes: FakeUpstreams, stream: bool) -> None:
    fakes.gemini.script(Reply(error=Failure(400, "The request is not valid for this model.")))
    body = {"model": "auto", "stream": stream, "messages": [{"role": "user", "content": "hi"}]}
    with serve_gateway(fakes) as plain:
        answer = _post(plain, "/v1/chat/completions", body)
        refused = _post(plain, "/v1/chat/completions", {**body, "model": "auto/nope"})
    assert answer.status_code == 400, answer.text
    assert "not valid for this model" in answer.json()["error"]["message"]
    assert answer.headers["x-dragoman-route"] == "tier=simple; model=gemini-2.5-flash; reason=score 0"
    assert refused.status_code == 404 and "x-dragoman-route" not in refused.headers  # no decision made


def test_rules_are_reloaded_with_the_config(fakes: FakeUpstreams) -> None:
    settings = load(overrides={"providers": providers_for(fakes)}, environ={})
    gateway = build_gateway(settings, environ={})
    assert gateway.policy.rules == []
    closed = {"rules": [{"name": "closed", "deny": "closed for the night"}]}
    gateway.reconfigure(settings.model_copy(update={"routing": RoutingConfig.model_validate(closed)}))
    assert [rule.name for rule in gateway.policy.rules] == ["closed"]
    with pytest.raises(PermissionDenied, match="closed for the night"):
        gateway.policy.route(Request(model="gpt-4.1"), gateway.registry, "openai_chat")


def test_tokens_are_counted_for_auto(url: str) -> None:
    body = {"model": "auto", "messages": [{"role": "user", "content": "hello there"}]}
    answer = _post(url, "/v1/messages/count_tokens", body, **CLAUDE_CODE)
    assert answer.status_code == 200 and answer.json()["input_tokens"] > 0
    gemini = _post(url, "/v1beta/models/auto:countTokens", {"contents": [{"parts": [{"text": "hi"}]}]})
    assert gemini.status_code == 200 and gemini.json()["totalTokens"] > 0


@pytest.mark.parametrize("query", ["?alt=sse", ""])
def test_gemini_clients_ask_for_auto_in_the_path(url: str, fakes: FakeUpstreams, query: str) -> None:
    tool = {"name": "read_file", "description": "reads a file", "parameters": {"type": "object"}}
    body = {
        "contents": [{"parts": [{"text": "Read hello.txt"}]}],
        "tools": [{"functionDeclarations": [tool]}],
    }
    answer = _post(url, f"/v1beta/models/auto:streamGenerateContent{query}", body)
    assert answer.status_code == 200, answer.text
    route = answer.headers["x-dragoman-route"]
    assert route == "tier=medium; model=gpt-4.1; reason=score 1 (tools+1, tools_floor -> medium)"
    assert _last_model(fakes, "openai_chat") == "gpt-4.1"
