"""Bodies kept for a trace: capped, secrets masked, only for failures with `errors`."""

from __future__ import annotations

from dragoman.observe import redact
from dragoman.observe.traces.bodies import Bodies


def test_each_body_is_capped_and_masked() -> None:
    redact.register(["local-secret-value-1"])
    bodies = Bodies("all", limit=40)
    bodies.client = b'{"prompt": "local-secret-value-1"}'
    bodies.sent(b'{"model": "m", "key": "sk-abcdefghijklmnopqrstuvwx"}')
    for _ in range(10):
        bodies.answered(b"0123456789")
    kept = bodies.kept(failed=False)
    assert kept is not None
    assert kept["client_request"] == '{"prompt": "***"}'
    [upstream] = kept["upstream"]
    assert upstream["request"].startswith('{"model": "m", "key": "***')
    assert upstream["answer"].startswith("0123456789" * 4)
    assert "truncated by dragoman: 100 bytes in all" in upstream["answer"]


def test_errors_keeps_only_a_failure_and_each_account_tried() -> None:
    bodies = Bodies("errors", limit=1000)
    bodies.client = b"{}"
    for account in ("first", "second"):
        bodies.sent(account.encode())
        bodies.answered(f"answer of {account}".encode())
    assert bodies.kept(failed=False) is None
    kept = bodies.kept(failed=True)
    assert kept is not None
    assert [(u["request"], u["answer"]) for u in kept["upstream"]] == [
        ("first", "answer of first"),
        ("second", "answer of second"),
    ]


def test_an_answer_before_any_request_is_ignored() -> None:
    bodies = Bodies("all", limit=1000)
    bodies.answered(b"stray")
    assert bodies.kept(failed=True) == {"client_request": "", "upstream": []}
