"""A session's auto tier over a scripted agent session: it rises with the work, never
falls while the session lasts, and is forgotten after its TTL; in both state backends."""

from __future__ import annotations

from dragoman.config import ModelsConfig
from dragoman.config.routing import AutoConfig, TierMap
from dragoman.ir.request import Request
from dragoman.policy import Policy, sticky
from dragoman.pools.sessions import SessionKey
from dragoman.routing.registry import Registry
from dragoman.state import State
from tests.policy.test_classify import _parse
from tests.policy.written import Spec, body
from tests.state.conftest import FakeClock

TIERS = TierMap(simple="m-simple", medium="m-medium", complex="m-complex", reasoning="m-reasoning")
TTL = 600.0
EMPTY = Registry([], ModelsConfig())

# One agent session, turn by turn: what it sends, and the tier it must be served at.
SCRIPT: tuple[tuple[Spec, str], ...] = (
    (Spec("hello", "Hello there.", ""), "simple"),
    (Spec("look", "List the files.", "", tools=2), "medium"),
    (Spec("look-again", "Continue.", "", tools=2, calls=("a.txt",)), "medium"),
    (Spec("loop", "Continue.", "", tools=2, calls=("a.txt", "a.txt")), "complex"),  # the same call again
    (Spec("thanks", "Thanks!", ""), "complex"),  # simple on its own: the session holds complex
)


def _request(spec: Spec, dialect: str = "anthropic") -> Request:
    return _parse(dialect, body(spec, dialect))


def _session(name: str) -> SessionKey:
    return SessionKey(f"key1:{name}", "x-claude-code-session-id")


def test_the_tier_rises_with_the_session_and_never_falls(state: State, clock: FakeClock) -> None:
    policy = Policy(AutoConfig(tiers=TIERS, session_ttl=TTL), bindings=state.bindings)
    served = []
    for spec, _ in SCRIPT:
        request = _request(spec)
        decision = policy.route(request, EMPTY, "anthropic", session=lambda: _session("s1"))
        assert decision is not None
        served.append((decision.tier, request.model, decision.sticky))
        clock.advance(60)
    assert [tier for tier, _, _ in served] == [tier for _, tier in SCRIPT]
    assert [model for _, model, _ in served] == [f"m-{tier}" for _, tier in SCRIPT]
    assert served[-1][2] is True  # held up by the session
    assert (
        "session held complex"
        in policy.route(_request(SCRIPT[0][0]), EMPTY, "anthropic", session=lambda: _session("s1")).reason
    )  # type: ignore[union-attr]


def test_another_session_starts_from_its_own_tier(state: State) -> None:
    policy = Policy(AutoConfig(tiers=TIERS), bindings=state.bindings)
    policy.route(_request(SCRIPT[3][0]), EMPTY, "anthropic", session=lambda: _session("busy"))
    decision = policy.route(_request(SCRIPT[0][0]), EMPTY, "anthropic", session=lambda: _session("fresh"))
    assert decision is not None and decision.tier == "simple"


def test_the_tier_is_forgotten_after_its_ttl(state: State, clock: FakeClock) -> None:
    policy = Policy(AutoConfig(tiers=TIERS, session_ttl=TTL), bindings=state.bindings)
    policy.route(_request(SCRIPT[3][0]), EMPTY, "anthropic", session=lambda: _session("s2"))
    clock.advance(TTL + 1)
    decision = policy.route(_request(SCRIPT[0][0]), EMPTY, "anthropic", session=lambda: _session("s2"))
    assert decision is not None and decision.tier == "simple"


def test_each_profile_keeps_its_own_tier(state: State) -> None:
    policy = Policy(AutoConfig(tiers=TIERS, profiles={"cheap": {"tiers": {}}}), bindings=state.bindings)
    policy.route(_request(SCRIPT[3][0]), EMPTY, "anthropic", session=lambda: _session("s3"))
    request = _request(SCRIPT[0][0])
    request.model = "auto/cheap"
    decision = policy.route(request, EMPTY, "anthropic", session=lambda: _session("s3"))
    assert decision is not None and decision.tier == "simple"


def test_tiers_are_kept_apart_from_account_bindings(state: State) -> None:
    sticky.settle(state.bindings, "key1:s4", "auto", "complex", TTL)
    assert state.bindings.count("complex") == 0  # never taken for an account's binding
    assert sticky.settle(state.bindings, "key1:s4", "auto", "simple", TTL) == ("complex", True)
    assert sticky.settle(None, "key1:s4", "auto", "simple", TTL) == ("simple", False)
