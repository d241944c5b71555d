"""Full garbage collections stay short: what survives one is frozen right after it, and every
FULL_WALK_EVERY-th one walks the frozen objects too, so cycles among them are freed."""
from __future__ import annotations

import gc
import weakref

import pytest

from lib.core import gc_pauses


@pytest.fixture
def watched():
    gc_pauses.freeze_after_full_collections()
    gc_pauses.freeze_after_full_collections()  # idempotent: one callback however often it runs
    yield
    gc.callbacks.remove(gc_pauses._on_collection)
    gc.unfreeze()


def test_survivors_of_a_full_collection_are_frozen_right_after_it(watched) -> None:
    assert gc.callbacks.count(gc_pauses._on_collection) == 1
    gc.unfreeze()
    gc.collect(1)  # a younger collection freezes nothing
    assert gc.get_freeze_count() == 0
    gc_pauses._full_collections = 0
    gc.collect()
    assert gc.get_freeze_count() > 1000


class Node:
    partner: Node | None = None


def test_a_cycle_among_frozen_objects_is_freed_by_the_next_full_walk(watched) -> None:
    first, second = Node(), Node()
    first.partner, second.partner = second, first
    alive = weakref.ref(first)
    gc_pauses._full_collections = 0
    gc.collect()  # the pair survives (still referenced) and is frozen
    del first, second
    for _ in range(gc_pauses.FULL_WALK_EVERY - 2):
        gc.collect()
        assert alive() is not None  # frozen: short collections leave the cycle alone
    gc.collect()  # the FULL_WALK_EVERY-th: everything is walked
    assert alive() is None
