"""Session keys from what each real client sends (tests/fixtures/client-requests)."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest
from starlette.datastructures import Headers

from dragoman.pools.sessions import SessionKey, claude_session, session_key
from tests.captures import Capture, load_all

CAPTURES = {capture.name: capture for capture in load_all()}
SESSION = "79803cc4-0af6-4787-9f63-0e185351d3fb"


def capture(name: str) -> Capture:
    return next(value for key, value in CAPTURES.items() if key.startswith(name))


def lowered(headers: dict[str, str], *dropped: str) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items() if name.lower() not in dropped}


def key_of(name: str, *dropped: str, local_key: str = "alice", body: Any = None) -> SessionKey | None:
    found = capture(name)
    given = found.body if body is None else body
    return session_key(lowered(found.headers, *dropped), given, found.dialect or "", local_key)


# -- Claude Code ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", [name for name in CAPTURES if name.startswith("claude-code/")])
def test_claude_code_is_keyed_by_its_session_header(name: str) -> None:
    found = CAPTURES[name]
    header = found.headers["X-Claude-Code-Session-Id"]
    assert key_of(name) == SessionKey(f"alice:{header}", "x-claude-code-session-id")


def test_claude_codes_metadata_names_the_same_session_without_the_header() -> None:
    with_header = key_of("claude-code/01")
    without = key_of("claude-code/01", "x-claude-code-session-id")
    assert without == SessionKey(f"alice:{SESSION}", "metadata.user_id")
    assert with_header is not None and without.key == with_header.key


def test_the_legacy_user_id_suffix() -> None:
    legacy = f"user_{'a' * 64}_account_5c1f0e2a-1b2c-4d5e-8f90-123456789abc_session_{SESSION}"
    body = {**capture("claude-code/01").body, "metadata": {"user_id": legacy}}
    assert key_of("claude-code/01", "x-claude-code-session-id", body=body) == SessionKey(
        f"alice:{SESSION}", "metadata.user_id"
    )


@pytest.mark.parametrize(
    "user_id",
    ["alice", '{"device_id": "d"}', "{not json", '["session_id"]', '{"session_id": 7}', "user_x_session_ "],
)
def test_a_user_id_without_a_session_falls_through(user_id: str) -> None:
    assert claude_session(user_id) is None
    body = {**capture("claude-code/01").body, "metadata": {"user_id": user_id}}
    found = key_of("claude-code/01", "x-claude-code-session-id", body=body)
    assert found is not None and found.source == "opening"


# -- Codex ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [name for name in CAPTURES if name.startswith("codex/")])
def test_codex_is_keyed_by_its_session_header_which_its_cache_key_repeats(name: str) -> None:
    found = CAPTURES[name]
    session = found.headers["session-id"]
    assert found.body["prompt_cache_key"] == session
    assert key_of(name) == SessionKey(f"alice:{session}", "session-id")
    assert key_of(name, "session-id") == SessionKey(f"alice:{session}", "prompt_cache_key")


def test_the_underscore_spelling_of_codexs_header() -> None:
    found = capture("codex/01")
    headers = {"session_id": "conv-1"}
    assert session_key(headers, found.body, "openai_responses", "alice") == SessionKey(
        "alice:conv-1", "session_id"
    )


def test_both_turns_of_a_codex_conversation_share_a_key() -> None:
    assert key_of("codex/02") == key_of("codex/03")
    assert key_of("codex/02") != key_of("codex/01")


# -- OpenCode, Kilo, body ids -----------------------------------------------------------------

CHAT = {"model": "gpt-5", "messages": [{"role": "user", "content": "hi"}]}


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"x-session-affinity": "ses_abc"}, CHAT, SessionKey("k:ses_abc", "x-session-affinity")),
        ({"x-session-id": "ses_kilo"}, CHAT, SessionKey("k:ses_kilo", "x-session-id")),
        ({}, {**CHAT, "session_id": "s-1"}, SessionKey("k:s-1", "body.session_id")),
        ({}, {**CHAT, "sessionId": "s-2"}, SessionKey("k:s-2", "body.sessionId")),
        ({}, {"request": {"contents": [], "session_id": "s-3"}}, SessionKey("k:s-3", "request.session_id")),
        ({}, {"request": {"contents": [], "sessionId": "s-4"}}, SessionKey("k:s-4", "request.sessionId")),
        ({}, {"input": "hi", "conversation": "conv_1"}, SessionKey("k:conv_1", "conversation")),
        ({}, {"input": "hi", "conversation": {"id": "conv_2"}}, SessionKey("k:conv_2", "conversation")),
        # precedence: a cache key before OpenCode's header, a header before body ids
        (
            {"x-session-affinity": "ses_abc"},
            {**CHAT, "prompt_cache_key": "pk"},
            SessionKey("k:pk", "prompt_cache_key"),
        ),
        (
            {"x-session-id": "ses_kilo"},
            {**CHAT, "session_id": "s-1"},
            SessionKey("k:ses_kilo", "x-session-id"),
        ),
    ],
)
def test_other_clients_session_ids(headers: dict[str, str], body: Any, expected: SessionKey) -> None:
    assert session_key(headers, body, "openai_chat", "k") == expected


@pytest.mark.parametrize("value", ["", "   ", 42, None, ["x"]])
def test_an_empty_or_odd_id_is_skipped(value: Any) -> None:
    found = session_key({}, {**CHAT, "prompt_cache_key": value}, "openai_chat", "k")
    assert found is not None and found.source == "opening"


def test_a_long_id_is_stored_as_its_hash() -> None:
    found = session_key({"x-session-id": "s" * 5000}, CHAT, "openai_chat", "k")
    assert found is not None and found.key.startswith("k:#") and len(found.key) == len("k:#") + 32


def test_case_insensitive_headers_as_starlette_gives_them() -> None:
    raw = [
        (name.lower().encode(), value.encode()) for name, value in capture("claude-code/01").headers.items()
    ]
    headers = Headers(raw=raw)
    found = session_key(headers, capture("claude-code/01").body, "anthropic", "alice")
    assert found == SessionKey(f"alice:{SESSION}", "x-claude-code-session-id")


# -- Gemini CLI and SDKs: no id sent, the opening decides ----------------------------------------


def test_gemini_cli_sends_no_id_so_its_conversations_stick_by_their_opening() -> None:
    keys = {name: key_of(name) for name in CAPTURES if name.startswith("gemini-cli/")}
    assert {found.source for found in keys.values() if found} == {"opening"}
    # the two turns of each tool conversation share a key; other conversations do not
    assert keys["gemini-cli/02-gemini.stream"] == keys["gemini-cli/03-gemini.stream"]
    assert keys["gemini-cli/07-gemini.stream"] == keys["gemini-cli/08-gemini.stream"]
    distinct = {
        keys[name]
        for name in (
            "gemini-cli/01-gemini.stream",
            "gemini-cli/02-gemini.stream",
            "gemini-cli/05-gemini.stream",
            "gemini-cli/07-gemini.stream",
        )
    }
    assert len(distinct) == 4


def test_a_derived_key_is_scoped_by_the_local_key() -> None:
    alice, bob = key_of("gemini-cli/02", local_key="alice"), key_of("gemini-cli/02", local_key="bob")
    assert alice is not None and bob is not None
    assert alice.key.removeprefix("alice:") == bob.key.removeprefix("bob:") and alice != bob


@pytest.mark.parametrize(
    "name", [name for name in CAPTURES if name.startswith("python-sdks/") and CAPTURES[name].dialect]
)
def test_sdk_requests_get_a_derived_key(name: str) -> None:
    found = key_of(name)
    assert found is not None and found.source == "opening"


def test_a_request_without_a_conversation_has_no_key() -> None:
    assert key_of("python-sdks/06") is None
    assert session_key({}, {"model": "gpt-5"}, "openai_chat", "k") is None


def test_the_body_is_not_changed() -> None:
    body = capture("claude-code/03").body
    before = orjson.dumps(body)
    session_key({}, copy.deepcopy(body), "anthropic", "alice")
    session_key({}, body, "anthropic", "alice")
    assert orjson.dumps(body) == before
