"""The test suite's own rules: every assert can fail, and nothing skips a broken test.

An assert that compares an expression with itself passes whatever the code does, and a
skip on a missing file or import turns a breakage into a quiet "s". Read from the
syntax tree of every test module, so a new one is checked with no edit here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SKIPPERS = frozenset({"skip", "skipif", "xfail", "importorskip"})

# (module relative to tests/, the skipping call's line text) -> why the skip is legitimate.
# A skip belongs here only when the condition is outside the project (a platform, say);
# a missing fixture file or a declared test dependency must fail instead.
ALLOWED_SKIPS: dict[tuple[str, str], str] = {}


def modules() -> list[Path]:
    return sorted(path for path in TESTS.rglob("*.py") if path != Path(__file__).resolve())


def asserts(tree: ast.AST) -> Iterator[ast.Assert]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Assert))


def self_comparison(test: ast.expr) -> bool:
    """`x == x`, or `x == approx(... x ...)`: true whatever `x` is."""
    if not isinstance(test, ast.Compare):
        return False
    sides = [ast.dump(side) for side in (test.left, *test.comparators)]
    if len(set(sides)) < len(sides):
        return True
    left = ast.dump(test.left)
    return any(
        isinstance(right, ast.Call)
        and ast.unparse(right.func).endswith("approx")
        and any(ast.dump(node) == left for node in ast.walk(right))
        for right in test.comparators
    )


def always_true(test: ast.expr) -> bool:
    """A literal that is true by construction: a non-empty tuple, list, string or number."""
    if isinstance(test, ast.Tuple | ast.List | ast.Set | ast.Dict):
        return bool(getattr(test, "elts", None) or getattr(test, "keys", None))
    if isinstance(test, ast.JoinedStr):
        return True
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return any(always_true(value) for value in test.values)
    return isinstance(test, ast.Constant) and bool(test.value)


def skip_calls(tree: ast.AST) -> Iterator[ast.expr]:
    """`pytest.skip(...)`, `pytest.importorskip(...)`, `@pytest.mark.skipif(...)`, ..."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in SKIPPERS:
            yield node


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(TESTS)))
def test_every_assert_can_fail(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    found = [
        f"{path.name}:{node.lineno}: {ast.unparse(node.test)[:100]}"
        for node in asserts(tree)
        if self_comparison(node.test) or always_true(node.test)
    ]
    assert not found, "asserts that pass whatever the code does:\n" + "\n".join(found)


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(TESTS)))
def test_nothing_skips_without_a_stated_reason(path: Path) -> None:
    source = path.read_text()
    lines = source.splitlines()
    name = str(path.relative_to(TESTS))
    found = [
        f"{name}:{node.lineno}: {lines[node.lineno - 1].strip()}"
        for node in skip_calls(ast.parse(source, str(path)))
        if (name, lines[node.lineno - 1].strip()) not in ALLOWED_SKIPS
    ]
    assert not found, (
        "a skip hides a broken import or a missing file: import plainly and fail instead, "
        "or list a skip that depends on the platform in ALLOWED_SKIPS with why:\n" + "\n".join(found)
    )


def test_the_rules_catch_what_they_are_for() -> None:
    tree = ast.parse(
        "assert facts['at'] == facts['at']\n"
        "assert x == pytest.approx(1 + x - 1)\n"
        "assert (a, 'why')\n"
        "assert f'{a}'\n"
        "assert a == b\n"
        "assert a == pytest.approx(b)\n"
        "mod = pytest.importorskip('openai')\n"
        "@pytest.mark.skipif(True, reason='x')\ndef f(): pytest.skip('no')\n"
    )
    verdicts = [self_comparison(node.test) or always_true(node.test) for node in asserts(tree)]
    assert verdicts == [True, True, True, True, False, False]
    assert [node.lineno for node in skip_calls(tree)] == [7, 8, 9]
