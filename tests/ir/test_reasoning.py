"""Where a thinking part came from, as clients see it and as upstreams are given it."""

from __future__ import annotations

from dragoman.ir.messages import Message, Text, Thinking, ToolCall
from dragoman.ir.reasoning import (
    account_of,
    keep_for,
    origin_of,
    unwrap_signature,
    without_reasoning,
    wrap_signature,
)
from dragoman.ir.request import Request

WORK = origin_of("claude", "work")


def test_a_signature_goes_to_clients_tagged_with_kind_and_account() -> None:
    wrapped = wrap_signature(Thinking(signature="SIG", id="rs_1", origin=WORK))
    assert wrapped == "dgm2~claude:work~rs_1~SIG"
    assert unwrap_signature(wrapped) == (WORK, "rs_1", "SIG")


def test_a_dgm1_value_from_before_the_upgrade_still_reads_as_its_account() -> None:
    origin, item_id, signature = unwrap_signature("dgm1~work~~SIG")
    assert (origin, item_id, signature) == ("work", None, "SIG")
    part = Thinking(signature=signature, origin=origin)
    assert keep_for(part, WORK, same_dialect=False)  # the same account: still valid there
    assert not keep_for(part, origin_of("claude", "home"), same_dialect=True)


def test_a_value_dragoman_did_not_wrap_has_no_origin() -> None:
    assert unwrap_signature("EqQBCkYIBRgCKkA") == (None, None, "EqQBCkYIBRgCKkA")


def test_thinking_is_kept_only_for_the_account_and_kind_that_produced_it() -> None:
    part = Thinking("hm", signature="SIG", origin=WORK)
    assert keep_for(part, WORK, same_dialect=False)
    assert not keep_for(part, origin_of("claude", "home"), same_dialect=True)  # another account
    assert not keep_for(part, origin_of("codex", "work"), same_dialect=True)  # another kind, same label


def test_unsigned_client_history_is_kept_only_in_its_own_dialect() -> None:
    part = Thinking("hm", signature="SIG")
    assert keep_for(part, WORK, same_dialect=True)
    assert not keep_for(part, WORK, same_dialect=False)


def test_an_origin_names_its_account() -> None:
    assert account_of(WORK) == "work"
    assert account_of("work") == "work"


def _conversation(source: str, *extra: Thinking) -> Request:
    return Request(
        model="m",
        source=source,
        messages=[
            Message("user", [Text("hi")]),
            Message("assistant", [Thinking("why", signature="SIG", origin=WORK), *extra]),
            Message("assistant", [Text("hello"), ToolCall("call_1", "run", "{}")]),
            Message("user", [Text("go on")]),
        ],
    )


def test_without_reasoning_keeps_text_and_calls_and_drops_emptied_turns() -> None:
    stripped = without_reasoning(_conversation("anthropic"))
    assert stripped is not None
    assert [message.parts for message in stripped.messages] == [
        [Text("hi")],
        [Text("hello"), ToolCall("call_1", "run", "{}")],
        [Text("go on")],
    ]


def test_without_reasoning_keeps_codex_compacted_history() -> None:
    compacted = Thinking(signature="COMPACTED", redacted=True, id="cmp_1")
    stripped = without_reasoning(_conversation("openai_responses", compacted))
    assert stripped is not None
    assert stripped.messages[1].parts == [compacted]


def test_without_reasoning_is_none_when_there_is_nothing_to_leave_out() -> None:
    assert without_reasoning(Request(model="m", messages=[Message("user", [Text("hi")])])) is None
