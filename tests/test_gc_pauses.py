"""Full garbage collections stay short: what survives one is frozen, and now and then handed back."""
from __future__ import annotations

import gc

import pytest

from lib.core import gc_pauses


@pytest.fixture
def watched():
    gc_pauses.keep_full_collections_short()
    gc_pauses.keep_full_collections_short()  # idempotent: one callback however often the script runs
    yield
    gc.unfreeze()


def test_survivors_of_a_full_collection_are_frozen_and_nothing_happens_without_one(watched) -> None:
    assert gc.callbacks.count(gc_pauses._after_collection) == 1
    gc.unfreeze()
    gc_pauses._full_collection_done.clear()
    assert gc_pauses.freeze_survivors() is None
    assert gc.get_freeze_count() == 0
    gc.collect()
    gc_pauses._freezes = 0
    assert gc_pauses.freeze_survivors() == "frozen"
    assert gc.get_freeze_count() > 1000
    assert gc_pauses.freeze_survivors() is None  # once per full collection


def test_frozen_objects_are_handed_back_now_and_then_so_their_cycles_can_be_freed(watched) -> None:
    import weakref

    class Node:
        pass

    cycle = Node()
    cycle.itself = cycle
    alive = weakref.ref(cycle)
    gc_pauses._freezes = gc_pauses.UNFREEZE_EVERY - 2
    gc.collect()
    assert gc_pauses.freeze_survivors() == "frozen"  # the cycle, still in use, is frozen with the rest
    del cycle
    gc.collect()
    assert alive() is not None  # garbage now, but a frozen cycle is not looked at
    assert gc_pauses.freeze_survivors() == "unfrozen"
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert alive() is None
