"""Every provider folder's SPEC is well formed: a new folder is checked here with no edit.

Parametrized over `providers.discover()`, so it covers folders added later (ollama, ...).
"""

from __future__ import annotations

import ast
import copy
import importlib
import inspect
import ipaddress
import pkgutil
from typing import get_args
from urllib.parse import urlsplit

import pytest

from dragoman import dialects, providers
from dragoman.ir.messages import Message, Text
from dragoman.ir.request import Reasoning, Request
from dragoman.ir.tools import Tool, ToolChoice
from dragoman.providers import ProviderSpec, discover
from dragoman.providers.spec import AuthStyle

SPECS = discover()
KINDS = sorted(SPECS)


def folder_of(kind: str) -> str:
    """The provider folder that defined this SPEC (its kind may differ from the folder)."""
    for module_name in _provider_packages():
        module = importlib.import_module(module_name)
        if getattr(module, "SPEC", None) is SPECS[kind]:
            return module_name
    raise AssertionError(f"no provider folder exports the SPEC of kind {kind!r}")


def _provider_packages() -> list[str]:
    return [f"{providers.__name__}.{m.name}" for m in pkgutil.iter_modules(providers.__path__) if m.ispkg]


def test_every_provider_folder_exports_a_spec() -> None:
    kinds = {importlib.import_module(name).SPEC.kind for name in _provider_packages()}
    assert kinds == set(SPECS)
    assert {"openai", "anthropic", "gemini", "xai", "openai_compatible"} <= kinds


@pytest.mark.parametrize("kind", KINDS)
def test_speaks_known_dialects(kind: str) -> None:
    spec = SPECS[kind]
    assert spec.dialects, "a provider speaks at least one dialect"
    assert len(set(spec.dialects)) == len(spec.dialects)
    if spec.wire is not None:
        # A private protocol (Kiro's) is its only dialect, with a dialect's four modules.
        assert spec.dialects == (spec.dialects[0],) and spec.dialects[0] not in dialects.DIALECTS
        private = dialects.private(spec.dialects[0], spec.wire)
        assert all(hasattr(private.request, name) for name in ("render", "upstream_path"))
        assert hasattr(private.stream, "Parser") and hasattr(private.error, "parse")
    else:
        assert set(spec.dialects) <= set(dialects.DIALECTS)
    assert spec.default_dialect == spec.dialects[0]


@pytest.mark.parametrize("kind", KINDS)
def test_base_url_is_https_or_local(kind: str) -> None:
    """A public endpoint is https; only a local server (Ollama, ...) may be plain http,
    and a kind with no fixed endpoint (openai_compatible) leaves it to the config."""
    base_url = SPECS[kind].base_url
    if base_url is None:
        return
    parts = urlsplit(base_url)
    assert parts.hostname, base_url
    assert not base_url.endswith("/"), "paths are appended to the base URL"
    if parts.scheme != "https":
        assert parts.scheme == "http" and _is_loopback(parts.hostname), base_url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.mark.parametrize("kind", KINDS)
def test_auth_and_key(kind: str) -> None:
    spec = SPECS[kind]
    assert spec.auth in get_args(AuthStyle)
    if spec.auth == "by_dialect":
        assert set(spec.dialects) == set(dialects.DIALECTS), "by_dialect is for kinds that speak any dialect"
    if spec.needs_key:
        assert spec.auth != "none"
        assert spec.api_key_env, "a kind that needs a key names the variable it reads it from"


@pytest.mark.parametrize("kind", KINDS)
def test_header_names_are_lower_case(kind: str) -> None:
    spec = SPECS[kind]
    for name in (*spec.headers, *spec.forward_headers):
        assert name == name.lower(), f"{name!r}: headers are merged by their lower-case names"


@pytest.mark.parametrize("kind", KINDS)
def test_models_are_unique_and_sized_sanely(kind: str) -> None:
    models = SPECS[kind].models
    ids = [model.id for model in models]
    assert len(ids) == len(set(ids)), f"duplicate model ids in {kind}"
    for model in models:
        assert model.id and model.id == model.id.strip() and "/" not in model.id
        for limit in (model.context_window, model.max_output_tokens):
            assert limit is None or (isinstance(limit, int) and limit > 0)
        if model.context_window and model.max_output_tokens:
            assert model.max_output_tokens <= model.context_window, model.id


@pytest.mark.parametrize("kind", KINDS)
def test_models_path_is_stated_deliberately(kind: str) -> None:
    """`models_path` is a path under the base URL, or None; either way the folder says
    so, as a missing live model list should be a decision, not an omission."""
    spec = SPECS[kind]
    assert spec.models_path is None or (spec.models_path.startswith("/") and "://" not in spec.models_path)
    module = importlib.import_module(folder_of(kind))
    tree = ast.parse(inspect.getsource(module))
    keywords = {
        keyword.arg
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ProviderSpec"
        for keyword in node.keywords
    }
    assert "models_path" in keywords, f"{folder_of(kind)}: pass models_path=... (None when there is no list)"


# Only the kinds with a quirks hook: a case per kind without one would be a skip, not a test.
QUIRKY = [kind for kind in KINDS if SPECS[kind].fix_request is not None]


def test_some_kinds_have_quirks() -> None:
    assert len(QUIRKY) >= 5, QUIRKY


@pytest.mark.parametrize("kind", QUIRKY)
@pytest.mark.parametrize("source", sorted(dialects.DIALECTS))
def test_fix_request_keeps_a_valid_body(kind: str, source: str) -> None:
    """The quirks hook takes every body the kind's dialects render, from any client, and
    gives back a body (the same model, the conversation intact)."""
    spec = SPECS[kind]
    assert spec.fix_request is not None
    conversations = 0
    for target in spec.dialects:
        model = spec.models[0].id if spec.models else "some-model"
        request = _busy_request(model, source)
        body = dialects.get(target).request.render(request, model=model, origin=kind)
        # A deep copy: the hook may edit `body` in place, and a shallow copy would share
        # the very lists it edits, so the comparison below could never fail.
        rendered = copy.deepcopy(body)
        fixed = spec.fix_request(body, request)
        assert isinstance(fixed, dict)
        for key in ("model", "messages", "input", "contents"):
            if key in rendered:
                assert fixed[key] == rendered[key], key
                conversations += key != "model"
    assert conversations >= len(spec.dialects), "a rendered body had no conversation to compare"


def _busy_request(model: str, source: str) -> Request:
    """A request that exercises every knob a quirk might touch."""
    return Request(
        model=model,
        messages=[Message(role="user", parts=[Text("hello")])],
        system=[Text("be brief")],
        tools=[
            Tool(name="lookup", description="look it up", parameters={"type": "object", "properties": {}})
        ],
        tool_choice=ToolChoice(mode="required"),
        temperature=0.3,
        top_p=0.9,
        stop=["END"],
        max_tokens=1000,
        reasoning=Reasoning(enabled=True, effort="max"),
        stream=True,
        source=source,
    )


def test_specs_are_provider_specs() -> None:
    assert all(isinstance(spec, ProviderSpec) for spec in SPECS.values())
