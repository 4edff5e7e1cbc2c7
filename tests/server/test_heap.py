"""The heap is settled once the app has started: startup's objects frozen out of the
collector's passes, and young collections made rarer."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator

import pytest
from starlette.testclient import TestClient

from dragoman.server import heap


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settle_freezes_what_is_alive_and_raises_the_young_threshold(restored_gc: None) -> None:
    gc.unfreeze()
    kept = [object() for _ in range(100)]
    heap.settle()
    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD


def test_the_started_app_has_settled_its_heap(
    restored_gc: None, make_client: Callable[..., TestClient]
) -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    make_client()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (heap.YOUNG_THRESHOLD, 10, 10)
