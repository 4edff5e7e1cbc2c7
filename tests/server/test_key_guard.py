"""A key's own subscription guard (`--guard PERCENT`), end to end: once an account of a
pool reports a usage window past that percent, the key's requests go to the next
account, while other keys' still use it up to the pools' own reserve (`pools.Selector`)."""

from __future__ import annotations

import httpx

from dragoman.policy.keys import LocalKey
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.server.test_limits import ask, headers, keyed
from tests.server.test_pooling import pool, reached

# OpenAI's rate-limit headers: 85 of 100 requests of the window used.
AT_85 = {
    "x-ratelimit-limit-requests": "100",
    "x-ratelimit-remaining-requests": "15",
    "x-ratelimit-reset-requests": "30m0s",
}


def test_a_key_guard_leaves_an_account_past_its_percent_for_that_key_only(fakes: FakeUpstreams) -> None:
    guarded, careful, plain = (
        LocalKey("guarded", guard_percent=80),
        LocalKey("careful", guard_percent=90),
        LocalKey("plain"),
    )
    fakes.openai_chat.script(*(Reply(text="ok", headers=AT_85) for _ in range(4)))
    providers = pool(fakes.openai_chat, ["acct-0", "acct-1"], ["gpt-4.1"])
    path, body = ask("openai_chat")
    with keyed(fakes, guarded, careful, plain, providers=providers, pools={"strategy": "fill-first"}) as url:
        statuses = [
            httpx.post(url + path, json=body, headers=headers(key), timeout=30).status_code
            for key in (plain, guarded, careful, plain)
        ]
    assert statuses == [200] * 4
    # plain learns acct-0 is at 85%; guarded (80%) leaves it; careful (90%) and plain stay.
    assert reached(fakes.openai_chat) == ["acct-0", "acct-1", "acct-0", "acct-0"]
