"""The fuzz corpus (tests/fuzz/corpus/<target>/): small inputs that reach deep into a
parser, replayed on every run and used as the seeds the property tests mutate. A
failure hypothesis finds is added here as a file, so it is replayed for good."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from hypothesis import strategies as st

CORPUS = Path(__file__).resolve().parent / "corpus"

# Any JSON value, small: what a client may put anywhere in a body.
JSON: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def files(target: str, suffix: str) -> list[Path]:
    found = sorted((CORPUS / target).glob(f"*{suffix}"))
    assert found, f"no corpus for {target} in {CORPUS}"
    return found


def bodies(target: str) -> list[Any]:
    return [orjson.loads(path.read_bytes()) for path in files(target, ".json")]


Path_ = tuple[str | int, ...]


def paths(value: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every place in `value` a mutation can go, the value itself first."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def replaced(value: Any, path: Path_, new: Any) -> Any:
    """A copy of `value` with what is at `path` replaced by `new` (or, at a dict's key,
    the key dropped when `new` is the DROP marker)."""
    if not path:
        return None if new is DROP else new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if not rest and new is DROP:
            copy.pop(head, None)
        else:
            copy[head] = replaced(value[head], rest, new)
        return copy
    copy_list = list(value)
    copy_list[head] = replaced(value[head], rest, None if new is DROP else new)  # type: ignore[index]
    return copy_list


DROP = object()


def mutations(seeds: list[Any]) -> st.SearchStrategy[Any]:
    """A seed with one to three of its places replaced by any JSON value, or dropped."""

    def mutate(body: Any) -> st.SearchStrategy[Any]:
        where = st.sampled_from(paths(body))
        return st.builds(replaced, st.just(body), where, JSON | st.just(DROP))

    once = st.sampled_from(seeds).flatmap(mutate)
    return st.one_of(st.sampled_from(seeds), once, once.flatmap(mutate), once.flatmap(mutate).flatmap(mutate))


def damaged(seed: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    """`seed` with each edit (kind, where, value) made: 0 flips bits, 1 drops a byte, 2
    adds one, 3 cuts the rest off."""
    data = bytearray(seed)
    for kind, where, value in edits:
        at = where % (len(data) + 1)
        if kind == 0 and at < len(data):
            data[at] ^= value or 1  # flipped bits
        elif kind == 1 and at < len(data):
            del data[at]
        elif kind == 2:
            data.insert(at, value)
        else:
            del data[at:]  # cut short
    return bytes(data)


# Damage to a binary stream (`damaged`): one to four edits.
EDITS = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4
)
